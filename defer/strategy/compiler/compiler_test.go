package compiler_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/compiler"
)

func TestParse(t *testing.T) {
	out := "# example.com/p\n" +
		"./p.go:4:2: open-coded defer\n" +
		"sub/q.go:9:3: heap-allocated defer\n" +
		"/abs/g.go:3:22: stack-allocated defer\n" +
		"/abs/g.go:3:22: heap-allocated defer\n" + // another instantiation
		"./p.go:7:9: undefined: x\n"
	o, err := compiler.Parse([]byte(out), "/m")
	if err != nil {
		t.Fatal(err)
	}
	want := []compiler.Pos{{"/abs/g.go", 3, 22}, {"/m/p.go", 4, 2}, {"/m/sub/q.go", 9, 3}}
	if got := o.Report.Positions(); !slices.Equal(got, want) {
		t.Errorf("positions %v, want %v", got, want)
	}
	if k := o.Report[want[0]]; k != strategy.StackAllocated {
		t.Errorf("%s: %v", want[0], k)
	}
	if c := o.Conflicts[want[0]]; !slices.Equal(c, []strategy.Kind{strategy.HeapAllocated}) {
		t.Errorf("conflicts %v", o.Conflicts)
	}
	if len(o.Other) != 1 || len(o.Report.In("/m/p.go")) != 1 {
		t.Errorf("other %q, in p.go %v", o.Other, o.Report.In("/m/p.go"))
	}
	if _, err := compiler.Parse([]byte("a.go:99999999999999999999:1: open-coded defer\n"), ""); err == nil {
		t.Error("an out-of-range line number was accepted")
	}
}

// TestBuildTwice: the second build of the same package reports every
// defer again, and the sources on disk keep their bytes.
func TestBuildTwice(t *testing.T) {
	dir := t.TempDir()
	src := []byte("package p\n\nfunc F() {\n\tdefer println()\n\tfor range 2 {\n\t\tdefer println()\n\t}\n}\n")
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/p\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "p.go"), src, 0o644)
	want := compiler.Report{
		{filepath.Join(dir, "p.go"), 4, 2}: strategy.StackAllocated,
		{filepath.Join(dir, "p.go"), 6, 3}: strategy.HeapAllocated,
	}
	for range 2 {
		o, err := compiler.Build(context.Background(), compiler.Options{Dir: dir, Patterns: []string{"."}, Output: os.DevNull})
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Report) != len(want) {
			t.Fatalf("report %v, want %v", o.Report, want)
		}
		for p, k := range want {
			if o.Report[p] != k {
				t.Errorf("%s: %v, want %v", p, o.Report[p], k)
			}
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "p.go")); string(got) != string(src) {
		t.Errorf("the source changed on disk:\n%s", got)
	}
	os.WriteFile(filepath.Join(dir, "p.go"), []byte("package p\n\nfunc F() { defer }\n"), 0o644)
	_, err := compiler.Build(context.Background(), compiler.Options{Dir: dir, Patterns: []string{"."}, Output: os.DevNull})
	var be *compiler.BuildError
	if !errors.As(err, &be) || len(be.Other) == 0 {
		t.Errorf("a package that does not compile: %v", err)
	}
}
