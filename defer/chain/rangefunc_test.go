package chain_test

import (
	"slices"
	"testing"

	"github.com/deferio/deferio/defer/chain"
)

// TestRangeFuncDefers: a range-over-func loop's record takes the place
// in the chain that the loop's start gives it, and the body's defers,
// pushed on its own list by deferprocat, run there in LIFO order, after
// the defers the frame made later and before those it made earlier
// (runtime.deferconvert); the same on a panic's walk.
func TestRangeFuncDefers(t *testing.T) {
	for _, panics := range []bool{false, true} {
		g := chain.NewG(chain.Options{Trace: true})
		var ran []string
		add := func(s string) func() { return func() { ran = append(ran, s) } }
		g.Run(func() {
			g.Call("main.main", false, func(f *chain.Frame) {
				if panics {
					g.DeferProcStack(f, "recover", func() {
						g.Call("main.main.func1", false, func(cf *chain.Frame) { g.Recover(cf) })
					})
				}
				g.DeferProcStack(f, "before", add("before"))
				rd := g.DeferRangeFunc(f, "loop")
				g.Call("main.main-range1", false, func(*chain.Frame) {
					g.DeferProcAt(rd, "body", add("body 0"))
				})
				g.Call("main.main-range1", false, func(*chain.Frame) {
					g.DeferProcAt(rd, "body", add("body 1"))
				})
				if n := len(g.Chain()); n != 2+btoi(panics) {
					t.Errorf("chain %v during the loop: the body's records must stay on the loop's list", g.Chain())
				}
				g.DeferProcStack(f, "after", add("after"))
				if panics {
					g.Panic("boom", "boom")
				}
			})
		})
		if want := []string{"after", "body 1", "body 0", "before"}; !slices.Equal(ran, want) {
			t.Errorf("panics=%v: ran %v, want %v", panics, ran, want)
		}
		if g.Count(chain.EvDeferConvert) != 1 || g.Count(chain.EvDeferProcAt) != 2 || len(g.Chain()) != 0 {
			t.Errorf("panics=%v: deferconvert %d, deferprocat %d, chain %v", panics, g.Count(chain.EvDeferConvert), g.Count(chain.EvDeferProcAt), g.Chain())
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
