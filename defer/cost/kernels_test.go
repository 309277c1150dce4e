package cost

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// decisions compiles this package once per test binary and mode.
func decisions(t *testing.T, race bool) []Decision {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ds, err := Decisions(ctx, ".", CompileOptions{Race: race})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) == 0 {
		t.Fatal("the compiler reported no defer at all: -d=defer printed nothing")
	}
	return ds
}

// TestKernelStrategies compiles this package with the real compiler's
// -d=defer and checks that every kernel gets exactly the strategy its name
// claims, so that a benchmark of it measures what it says.
func TestKernelStrategies(t *testing.T) {
	ds := decisions(t, false)
	if err := Verify(ds); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyCatchesAWrongStrategy: a kernel that quietly gets another
// strategy, loses its defer, gains one, or an unclaimed defer, fails.
func TestVerifyCatchesAWrongStrategy(t *testing.T) {
	ds := decisions(t, false)
	find := func(fn string) int {
		for i, d := range ds {
			if d.Func == fn {
				return i
			}
		}
		t.Fatalf("no defer in %s", fn)
		return -1
	}
	mutations := map[string]func([]Decision) []Decision{
		"open-coded becomes stack": func(ds []Decision) []Decision {
			ds[find("OpenCoded")].Strategy = StackDefer
			return ds
		},
		"stack becomes open-coded": func(ds []Decision) []Decision {
			ds[find("Stack16Returns")].Strategy = OpenCodedDefer
			return ds
		},
		"heap becomes stack": func(ds []Decision) []Decision {
			ds[find("HeapLoop")].Strategy = StackDefer
			return ds
		},
		"kernel loses its defer": func(ds []Decision) []Decision {
			return slices.Delete(ds, find("Stack9"), find("Stack9")+9)
		},
		"direct gains a defer": func(ds []Decision) []Decision {
			return append(ds, Decision{File: "kernels.go", Line: 1, Col: 1, Func: "Direct", Strategy: OpenCodedDefer})
		},
		"unclaimed defer": func(ds []Decision) []Decision {
			return append(ds, Decision{File: "kernels.go", Line: 1, Col: 1, Func: "bump", Strategy: OpenCodedDefer})
		},
	}
	for name, mutate := range mutations {
		if err := Verify(mutate(slices.Clone(ds))); err == nil {
			t.Errorf("%s: Verify found nothing wrong", name)
		}
	}
}

// TestRaceTurnsOpenCodingOff: with -race the compiler instruments function
// exits, and open coding is off (ssagen/ssa.go, instrumentEnterExit).
func TestRaceTurnsOpenCodingOff(t *testing.T) {
	if testing.Short() {
		t.Skip("compiling with -race the first time rebuilds the race runtime's export data; skipped in -short")
	}
	plain, race := decisions(t, false), decisions(t, true)
	if len(plain) != len(race) {
		t.Fatalf("%d defers without -race, %d with it", len(plain), len(race))
	}
	sawOpen := false
	for i, d := range race {
		want := plain[i].Strategy
		if want == OpenCodedDefer {
			sawOpen = true
			want = StackDefer
		}
		if d.Strategy != want {
			t.Errorf("with -race: %v, want %s (without -race: %s)", d, want, plain[i].Strategy)
		}
	}
	if !sawOpen {
		t.Fatal("no open-coded defer to compare")
	}
	for _, d := range race {
		if d.Func == "OpenCoded" && d.Strategy != StackDefer {
			t.Errorf("OpenCoded with -race: got %s, want %s", d.Strategy, StackDefer)
		}
	}
}

// TestKernelsRunTheirDefers checks the work of each kernel: every deferred
// call adds one to the counter, so a kernel adds its Defers.
func TestKernelsRunTheirDefers(t *testing.T) {
	for _, k := range Kernels() {
		before := Count()
		k.Run(k.Arg)
		want := uint64(k.Defers)
		if k.Strategy == NoDefer {
			want = 1
		}
		if got := Count() - before; got != want {
			t.Errorf("kernel %s: %d deferred calls ran, want %d", k.Name, got, want)
		}
	}
}

func TestKernelResults(t *testing.T) {
	tests := []struct {
		name    string
		arg     int
		want    int
		defers  uint64
		comment string
	}{
		{"panic-open-coded", 5, 0, 1, "a recovered panic returns the zero result"},
		{"panic-stack", 5, 0, 1, "a recovered panic returns the zero result"},
		{"panic-stack", -3, 3, 1, "no panic: an early return still runs the defer"},
		{"stack-16-returns", 15, 15, 1, "the 15th early return"},
		{"open-coded-15-returns", 14, 14, 1, "the 14th early return"},
		{"heap-loop", 5, 5, 5, "five iterations, five defers"},
		{"heap-loop", 0, 0, 0, "no iteration, no defer"},
		{"heap-loop-args", 3, 3, 3, "three iterations"},
	}
	for _, tt := range tests {
		k, err := Lookup(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		before := Count()
		if got := k.Run(tt.arg); got != tt.want {
			t.Errorf("%s(%d) = %d, want %d (%s)", tt.name, tt.arg, got, tt.want, tt.comment)
		}
		if got := Count() - before; got != tt.defers {
			t.Errorf("%s(%d) ran %d deferred calls, want %d (%s)", tt.name, tt.arg, got, tt.defers, tt.comment)
		}
	}
}

// TestAllocations: a heap-allocated defer takes its record from the per-P
// pool, so it does not allocate in the steady state; a captured argument
// is a closure that does.
func TestAllocations(t *testing.T) {
	want := map[string]float64{
		"direct":           0,
		"open-coded":       0,
		"stack-16-returns": 0,
		"stack-9":          0,
		"heap-loop":        0,
		"heap-loop-args":   1,
		"panic-open-coded": 0,
		"panic-stack":      0,
	}
	for _, k := range Kernels() {
		w, ok := want[k.Name]
		if !ok {
			continue
		}
		if got := testing.AllocsPerRun(1000, func() { k.Run(k.Arg) }); got != w {
			t.Errorf("kernel %s: %v allocations per call, want %v", k.Name, got, w)
		}
	}
}

func TestKernelTable(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "kernels.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]bool{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			funcs[fd.Name.Name] = true
		}
	}
	seen := map[string]bool{}
	for _, k := range Kernels() {
		if seen[k.Name] {
			t.Errorf("two kernels named %s", k.Name)
		}
		seen[k.Name] = true
		if k.Run == nil || k.About == "" || len(k.Funcs) == 0 {
			t.Errorf("kernel %s is incomplete: %+v", k.Name, k)
		}
		for _, fn := range k.Funcs {
			if !funcs[fn] {
				t.Errorf("kernel %s names %s, which is not in kernels.go", k.Name, fn)
			}
		}
	}
	if Kernels()[0].Strategy != NoDefer {
		t.Error("the first kernel must be the direct-call baseline")
	}
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Lookup(nope) = %v, want an error naming it", err)
	}
	src, err := os.ReadFile("kernels.go")
	if err != nil {
		t.Fatal(err)
	}
	if Source() != string(src) {
		t.Error("Source() differs from kernels.go")
	}
}

func TestParseDecisions(t *testing.T) {
	out := "# github.com/x/y\n" +
		"./a.go:3:2: open-coded defer\n" +
		"some other line\n" +
		"/abs/b.go:10:3: heap-allocated defer\n" +
		"  c.go:7:9: stack-allocated defer  \n" +
		"d.go:1:1: weird defer\n"
	ds, err := parseDecisions(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []Decision{
		{File: "a.go", Line: 3, Col: 2, Strategy: OpenCodedDefer},
		{File: "b.go", Line: 10, Col: 3, Strategy: HeapDefer},
		{File: "c.go", Line: 7, Col: 9, Strategy: StackDefer},
	}
	if !slices.Equal(ds, want) {
		t.Errorf("got %v\nwant %v", ds, want)
	}
	if _, err := parseDecisions(strings.NewReader("a.go:99999999999999999999:1: open-coded defer\n")); err == nil {
		t.Error("an out-of-range line number was accepted")
	}
}

func TestDecisionsErrors(t *testing.T) {
	ctx := context.Background()
	empty := t.TempDir()
	if err := os.WriteFile(empty+"/go.mod", []byte("module empty\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{empty, empty + "/missing"} {
		_, err := Decisions(ctx, dir, CompileOptions{})
		if err == nil {
			t.Errorf("Decisions(%s) succeeded", dir)
			continue
		}
		if !strings.Contains(err.Error(), "unable to list") {
			t.Errorf("Decisions(%s): %v, want an error saying what failed", dir, err)
		}
	}
	bad := t.TempDir()
	os.WriteFile(bad+"/go.mod", []byte("module bad\n\ngo 1.26\n"), 0o644)
	os.WriteFile(bad+"/a.go", []byte("package bad\n\nfunc F() { defer }\n"), 0o644)
	if _, err := Decisions(ctx, bad, CompileOptions{}); err == nil {
		t.Error("a package that does not compile gave no error")
	}
}

func FuzzParseDecisions(f *testing.F) {
	f.Add("# p\n./a.go:3:2: open-coded defer\n")
	f.Add("b.go:1:1: heap-allocated defer\nb.go:2:1: stack-allocated defer")
	f.Fuzz(func(t *testing.T, s string) {
		ds, err := parseDecisions(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.Line < 0 || d.Col < 0 || d.File == "" {
				t.Errorf("implausible decision %v from %q", d, s)
			}
			line := fmt.Sprintf("%s:%d:%d: %s defer", d.File, d.Line, d.Col, d.Strategy)
			again, err := parseDecisions(strings.NewReader(line))
			if err != nil || len(again) != 1 || again[0] != d {
				t.Errorf("%q parsed as %v, reformatted %q parses as %v, %v", s, d, line, again, err)
			}
		}
	})
}

// TestDeferredArguments: the deferred call gets the argument's value at
// the defer statement, with both forms.
func TestDeferredArguments(t *testing.T) {
	for _, name := range []string{"open-coded-args", "open-coded-closure"} {
		k, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		k.Run(41)
		if lastArg != 41 {
			t.Errorf("%s(41) recorded %d", name, lastArg)
		}
	}
	HeapLoopArgs(3)
	if lastArg != 0 {
		t.Errorf("HeapLoopArgs(3): the last deferred call (the first deferred) recorded %d, want 0", lastArg)
	}
}

// TestDecisionsFlags: extra compiler flags reach the compiler; -N (no
// optimization) turns open coding off, as -race does.
func TestDecisionsFlags(t *testing.T) {
	ds, err := Decisions(context.Background(), ".", CompileOptions{Flags: []string{"-N"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) == 0 {
		t.Fatal("no decisions with -N")
	}
	for _, d := range ds {
		if d.Strategy == OpenCodedDefer {
			t.Errorf("with -N: %v", d)
		}
	}
	if _, err := Decisions(context.Background(), ".", CompileOptions{Flags: []string{"-no-such-flag"}}); err == nil || !strings.Contains(err.Error(), "unable to compile") {
		t.Errorf("a bad compiler flag: %v, want an error saying the compile failed", err)
	}
}
