package agreement_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/agreement"
)

func TestParseCompilerOutput(t *testing.T) {
	out := "# example.com/p\n" +
		"./p.go:4:2: open-coded defer\n" +
		"sub/q.go:9:3: heap-allocated defer\n" +
		"/abs/g.go:3:22: stack-allocated defer\n" +
		"/abs/g.go:3:22: stack-allocated defer\n" + // a second instantiation
		"/abs/h.go:1:1: open-coded defer\n/abs/h.go:1:1: heap-allocated defer\n" +
		"./p.go:7:9: undefined: x\n"
	sites, conflicts, other := agreement.ParseCompilerOutput([]byte(out), "/m")
	want := map[agreement.Site]strategy.Kind{
		{File: "/m/p.go", Line: 4, Col: 2}:     strategy.OpenCoded,
		{File: "/m/sub/q.go", Line: 9, Col: 3}: strategy.HeapAllocated,
		{File: "/abs/g.go", Line: 3, Col: 22}:  strategy.StackAllocated,
		{File: "/abs/h.go", Line: 1, Col: 1}:   strategy.OpenCoded,
	}
	if len(sites) != len(want) {
		t.Errorf("got %d sites, want %d: %v", len(sites), len(want), sites)
	}
	for s, k := range want {
		if sites[s] != k {
			t.Errorf("%s: got %v, want %v", s, sites[s], k)
		}
	}
	if len(conflicts) != 1 || len(other) != 1 || other[0] != "./p.go:7:9: undefined: x" {
		t.Errorf("conflicts %v, other %q", conflicts, other)
	}
}

// FuzzParseCompilerOutput: any input parses without panic, and printing
// the sites again and parsing that gives the same sites.
func FuzzParseCompilerOutput(f *testing.F) {
	f.Add([]byte("# p\n./p.go:4:2: open-coded defer\n"))
	f.Add([]byte("/a/b.go:1:1: heap-allocated defer\nx.go:0:0: stack-allocated defer\n"))
	f.Add([]byte("weird: line\n\x00\n.go:1:1: open-coded defer"))
	f.Fuzz(func(t *testing.T, out []byte) {
		sites, _, _ := agreement.ParseCompilerOutput(out, "/m")
		var b strings.Builder
		for s, k := range sites {
			fmt.Fprintf(&b, "%s: %s defer\n", s, k)
		}
		again, _, _ := agreement.ParseCompilerOutput([]byte(b.String()), "/m")
		if len(again) != len(sites) {
			t.Fatalf("%d sites, %d after a round trip", len(sites), len(again))
		}
		for s, k := range sites {
			if again[s] != k {
				t.Fatalf("%s: %v, then %v", s, k, again[s])
			}
		}
	})
}
