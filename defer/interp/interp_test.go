package interp_test

import (
	"errors"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/defer/strategy"
)

func load(t *testing.T, src string) *interp.Program {
	t.Helper()
	p, err := interp.Load("prog.go", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRejectsOutsideSubset(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"syntax", "package main\nfunc main() {", "unable to parse"},
		{"not main", "package lib\n", "must be package main"},
		{"no main", "package main\nfunc f() {}\n", "no func main"},
		{"range = to an interface", "package main\nfunc main() { var x any; for x = range 3 { _ = x } }\n", "range with = to a variable of interface type is outside the subset"},
		{"generic function", "package main\nfunc id[T any](x T) T { return x }\nfunc main() { _ = id(1) }\n", "prog.go:2:1: generic function id: type parameters are outside the subset"},
		{"generic type", "package main\ntype Box[T any] struct{ v T }\nfunc main() {}\n", "type Box: aliases and generic types are outside the subset"},
		{"unsupported import", "package main\nimport \"net/http\"\nfunc main() { _ = http.StatusOK }\n", `prog.go:2:8: import "net/http" is outside the subset`},
		{"library member", "package main\nimport \"strings\"\nfunc main() { _ = strings.NewReader(\"a\") }\n", "strings.NewReader is outside the subset"},
		{"fmt member", "package main\nimport \"fmt\"\nfunc main() { fmt.Sscan(\"1\") }\n", "fmt.Sscan is outside the subset"},
		{"os member", "package main\nimport \"os\"\nfunc main() { _ = os.Args }\n", "os.Args is outside the subset"},
		{"uint64", "package main\nfunc main() { var b uint64 = 1; _ = b }\n", "(uint, uint64, uintptr, float32 and complex types are not)"},
		{"struct of complex", "package main\ntype T struct{ c complex128 }\nfunc main() {}\n", "prog.go:2:6: type T: the integer types up to int64 and uint32"},
		{"print pointer", "package main\nimport \"fmt\"\nfunc main() { x := 1; fmt.Println(&x) }\n", "Go prints an address"},
		{"print nested pointer", "package main\nimport \"fmt\"\ntype T struct{ p *int }\nfunc main() { fmt.Println(T{}) }\n", "Go prints an address"},
		{"print func", "package main\nimport \"fmt\"\nfunc main() { fmt.Println(main) }\n", "Go prints an address"},
		{"Printf %p", "package main\nimport \"fmt\"\nfunc main() { x := 1; fmt.Printf(\"%p\", &x) }\n", "with %p is outside the subset"},
		{"panic struct", "package main\ntype T struct{ a int }\nfunc main() { panic(T{1}) }\n", "give the type an Error or String method"},
		{"type error", "package main\nfunc main() { x := 1 + \"a\" }\n", "unable to type-check"},
		{"float32", "package main\nfunc main() { f := float32(1); _ = f }\n", "prog.go:2:20: constant of type float32"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := interp.Load("prog.go", []byte(c.src), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := interp.LoadFile(filepath.Join(t.TempDir(), "nope.go"), nil)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want a wrapped not-exist error", err)
	}
}

func TestStepLimit(t *testing.T) {
	p := load(t, "package main\nfunc main() {\n\tfor {\n\t}\n}\n")
	_, err := p.Run(interp.Options{StepLimit: 1000})
	if !errors.Is(err, interp.ErrStepLimit) || !strings.Contains(err.Error(), "prog.go:3:2") {
		t.Errorf("error %v, want ErrStepLimit at prog.go:3:2", err)
	}
}

func TestDepthLimit(t *testing.T) {
	p := load(t, "package main\nfunc f(n int) int { return f(n+1) }\nfunc main() { f(0) }\n")
	_, err := p.Run(interp.Options{MaxDepth: 200})
	if err == nil || !strings.Contains(err.Error(), "call depth limit of 200") {
		t.Errorf("error %v, want the depth limit", err)
	}
}

// TestDeterministic runs a program twice: same output, same events.
func TestDeterministic(t *testing.T) {
	src, err := os.ReadFile("testdata/progs/goexit_panic_recovered.go")
	if err != nil {
		t.Fatal(err)
	}
	p, err := interp.Load("x.go", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Run(interp.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Run(interp.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs of the same program differ")
	}
	if len(a.Events) == 0 || a.Counts[chain.EvGoexit] != 1 || a.Counts[chain.EvRecover] != 1 {
		t.Errorf("events: %d, counts %v", len(a.Events), a.Counts)
	}
}

// TestStrategySeam replaces the strategy decider: every defer
// heap-allocated changes the trace, not the output.
func TestStrategySeam(t *testing.T) {
	src := []byte("package main\nimport \"fmt\"\nfunc main() {\n\tdefer fmt.Println(1)\n\tdefer fmt.Println(2)\n}\n")
	allHeap := func(fset *token.FileSet, f *ast.File, info *types.Info) (map[*ast.DeferStmt]strategy.Kind, error) {
		m := map[*ast.DeferStmt]strategy.Kind{}
		ast.Inspect(f, func(n ast.Node) bool {
			if d, ok := n.(*ast.DeferStmt); ok {
				m[d] = strategy.HeapAllocated
			}
			return true
		})
		return m, nil
	}
	for _, c := range []struct {
		name  string
		strat interp.StrategyFunc
		kind  chain.EventKind
	}{{"default", nil, chain.EvOpenDefer}, {"all heap", allHeap, chain.EvDeferProc}} {
		p, err := interp.Load("p.go", src, c.strat)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Run(interp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stdout != "2\n1\n" || res.Counts[c.kind] != 2 {
			t.Errorf("%s: stdout %q, counts %v; want 2 1 and two %s", c.name, res.Stdout, res.Counts, c.kind)
		}
	}
	failing := func(*token.FileSet, *ast.File, *types.Info) (map[*ast.DeferStmt]strategy.Kind, error) {
		return nil, errors.New("no idea")
	}
	if _, err := interp.Load("p.go", src, failing); err == nil || !strings.Contains(err.Error(), "no idea") {
		t.Errorf("a failing decider gave %v", err)
	}
}

func TestOpenSlots(t *testing.T) {
	p := load(t, "package main\nfunc main() {\n\tdefer println(1)\n\tif false {\n\t\tdefer println(2)\n\t}\n\tdefer println(3)\n}\n")
	var slots []int
	for _, d := range p.Defers {
		slots = append(slots, d.Slot)
	}
	// The defer under "if false" is dead code: it takes no slot.
	if !reflect.DeepEqual(slots, []int{0, -1, 1}) {
		t.Errorf("slots %v, want [0 -1 1]", slots)
	}
}

func TestHistoricStrategies(t *testing.T) {
	src := []byte("package main\nimport \"fmt\"\nfunc main() {\n\tdefer fmt.Println(1)\n\tfor i := range 2 {\n\t\tdefer fmt.Println(i)\n\t}\n}\n")
	want := map[string][2]string{
		"1.12": {"heap-allocated", "heap-allocated"},
		"1.13": {"stack-allocated", "heap-allocated"},
		"1.26": {"stack-allocated", "heap-allocated"},
	}
	for v, kinds := range want {
		strat, err := interp.HistoricStrategies(v)
		if err != nil {
			t.Fatal(err)
		}
		p, err := interp.Load("p.go", src, strat)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range p.Defers {
			if d.Kind.String() != kinds[i] {
				t.Errorf("go%s: defer %d is %s, want %s", v, i, d.Kind, kinds[i])
			}
		}
		res, err := p.Run(interp.Options{})
		if err != nil || res.Stdout != "1\n0\n1\n" {
			t.Errorf("go%s: output %q, %v", v, res.Stdout, err)
		}
	}
	open := []byte("package main\nfunc main() {\n\tdefer println()\n}\n")
	for v, k := range map[string]string{"1.12": "heap-allocated", "1.13": "stack-allocated", "1.14": "open-coded"} {
		strat, _ := interp.HistoricStrategies(v)
		p, err := interp.Load("p.go", open, strat)
		if err != nil || p.Defers[0].Kind.String() != k {
			t.Errorf("go%s: %v %v, want %s", v, err, p.Defers, k)
		}
	}
	if _, err := interp.HistoricStrategies("1.5"); err == nil {
		t.Error("go1.5 accepted")
	}
}

// TestConcurrentRuns runs one Program from several goroutines: a Program
// is read-only once loaded (run with -race).
func TestConcurrentRuns(t *testing.T) {
	src, err := os.ReadFile("testdata/progs/custom_error.go")
	if err != nil {
		t.Fatal(err)
	}
	p, err := interp.Load("custom_error.go", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Run(interp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := p.Run(interp.Options{Trace: true})
			if err == nil && (got.Stdout != want.Stdout || got.Stderr != want.Stderr) {
				err = errors.New("a concurrent run printed something else")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestOutputLimit(t *testing.T) {
	p := load(t, "package main\nimport \"fmt\"\nfunc main() {\n\ts := \"0123456789\"\n\tfor range 10 {\n\t\ts += s\n\t}\n\tfor {\n\t\tfmt.Println(s)\n\t}\n}\n")
	_, err := p.Run(interp.Options{})
	if err == nil || !strings.Contains(err.Error(), "output limit") {
		t.Errorf("error %v, want the output limit", err)
	}
}

// TestMethodFrameNames: events name a method's frame as the runtime
// does: main.T.M for a value receiver, main.(*T).M for a pointer one.
func TestMethodFrameNames(t *testing.T) {
	prog := load(t, `package main

type T int

func (T) Value()    { defer println("v") }
func (*T) Pointer() { defer println("p") }

func main() {
	var x T
	x.Value()
	x.Pointer()
}
`)
	res, err := prog.Run(interp.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range res.Events {
		if e.Kind == chain.EvOpenDefer {
			seen[e.Func] = true
		}
	}
	for _, want := range []string{"main.T.Value", "main.(*T).Pointer"} {
		if !seen[want] {
			t.Errorf("no open-coded defer in frame %s; frames seen: %v", want, seen)
		}
	}
}

// TestFuncLinesRangeBodies checks that FuncLines gives each
// range-over-func body the line of its for keyword, under the name its
// frames have (the rewrite puts the body's function there, and the
// runtime's function table says so when the inliner copied it under
// another name).
func TestFuncLinesRangeBodies(t *testing.T) {
	prog := load(t, `package main

func seq(yield func(int) bool) { _ = yield(1) && yield(2) }

func f() {
	for x := range seq {
		for y := range seq {
			defer println(x, y)
		}
	}
	func() {
		for z := range seq {
			defer println(z)
		}
	}()
}

func main() { f() }
`)
	lines := prog.FuncLines()
	want := map[string]int{"main.f": 5, "main.f-range1": 6, "main.f-range2": 7, "main.f.func1": 11, "main.f.func1-range1": 12}
	for name, line := range want {
		if lines[name] != line {
			t.Errorf("FuncLines[%q] = %d, want %d", name, lines[name], line)
		}
	}
	res, err := prog.Run(interp.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	bodies := 0
	for _, e := range res.Events {
		if _, ok := lines[e.Func]; !ok && strings.HasPrefix(e.Func, "main.") && e.Func != "main.init" {
			t.Errorf("an event names %s, which FuncLines does not know", e.Func)
		}
		if strings.Contains(e.Func, "-range") {
			bodies++
		}
	}
	if bodies == 0 {
		t.Error("no event in a range body")
	}
}
