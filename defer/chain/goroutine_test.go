package chain_test

import (
	"slices"
	"testing"

	"github.com/deferio/deferio/defer/chain"
)

// TestGoroutinesShareThePools: a goroutine has its own defer list, and
// the records it frees go to the P's pool that the main goroutine's
// next defer takes from, as runtime.newdefer and popDefer share pp.deferpool.
func TestGoroutinesShareThePools(t *testing.T) {
	g := chain.NewG(chain.Options{})
	var ran []string
	g.Run(func() {
		g.Call("main.main", false, func(f *chain.Frame) {
			g.DeferProc(f, "main", func() { ran = append(ran, "main") })
			w := g.NewGoroutine(18, "main.worker")
			w.Run(func() {
				w.Call("main.worker", false, func(wf *chain.Frame) {
					w.DeferProc(wf, "worker", func() { ran = append(ran, "worker") })
					if len(w.Chain()) != 1 || len(g.Chain()) != 1 {
						t.Errorf("chains: worker %v, main %v; want one record each", w.Chain(), g.Chain())
					}
				})
			})
			before := g.Pool()
			if before.Local != 1 {
				t.Errorf("after the worker returned the P's pool holds %d records, want its freed one", before.Local)
			}
			g.DeferProc(f, "main again", func() { ran = append(ran, "main again") })
			if after := g.Pool(); after.Hits != before.Hits+1 || after.Local != 0 || after.Allocs != before.Allocs {
				t.Errorf("pool %+v after %+v: want the main goroutine's defer served by the record the worker freed", after, before)
			}
		})
	})
	if !slices.Equal(ran, []string{"worker", "main again", "main"}) {
		t.Errorf("ran %v", ran)
	}
}
