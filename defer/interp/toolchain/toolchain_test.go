package toolchain_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/interp/toolchain"
	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/compiler"
	"github.com/deferio/deferio/internal/testenv"
)

// TestBuildOneTwice builds the same program twice: the salt defeats the
// build cache, so the compiler's -d=defer lines come back both times.
func TestBuildOneTwice(t *testing.T) {
	testenv.NeedGo(t)
	src := []byte("package main\n\nfunc main() {\n\tdefer println(\"a\")\n\tfor i := range 2 {\n\t\tdefer println(i)\n\t}\n}\n")
	for range 2 {
		b, p, err := toolchain.BuildOne(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		want := compiler.Report{{File: p.File, Line: 4, Col: 2}: strategy.StackAllocated, {File: p.File, Line: 6, Col: 3}: strategy.HeapAllocated}
		if !maps.Equal(p.Strategies, want) {
			t.Errorf("strategies %+v, want %+v", p.Strategies, want)
		}
		res, err := p.Run(context.Background())
		if err != nil || res.Stderr != "1\n0\na\n" || res.ExitCode != 0 {
			t.Errorf("run: %+v, %v", res, err)
		}
		b.Close()
	}
}

func TestBuildErrors(t *testing.T) {
	testenv.NeedGo(t)
	if _, err := toolchain.BuildAll(context.Background(), map[string][]byte{"Bad-Name": nil}); err == nil || !strings.Contains(err.Error(), "names are lower-case") {
		t.Errorf("bad name: %v", err)
	}
	_, err := toolchain.BuildAll(context.Background(), map[string][]byte{"broken": []byte("package main\nfunc main() { x }\n")})
	if err == nil || !strings.Contains(err.Error(), "undefined: x") {
		t.Errorf("broken program: %v, want the compiler's message", err)
	}
}
