package interp_test

import (
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/interp"
)

// TestTraceInvariants checks the invariants written on package chain in
// the trace of every test program: the list changes only at its head
// (and right after it, where deferconvert splices a loop body's records),
// each open-coded step sets or clears exactly one bit, pool counters
// never go back, and a program that returns leaves nothing deferred.
func TestTraceInvariants(t *testing.T) {
	files, _ := filepath.Glob("testdata/progs/*.go")
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			p, err := interp.Load(name, src, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Run(interp.Options{Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			prev := []int{}
			var pool chain.PoolState
			for _, e := range res.Events {
				switch e.Kind {
				case chain.EvDeferConvert:
					// The loop's record stays at the head; its body's
					// records come in right after it.
					n := len(e.Chain) - len(prev)
					if len(prev) == 0 || n < 0 || e.Chain[0] != e.Record || prev[0] != e.Record || !slices.Equal(e.Chain[1+n:], prev[1:]) {
						t.Errorf("event %d: deferconvert of #%d took %v to %v, want records spliced in after the head", e.Seq, e.Record, prev, e.Chain)
					}
				case chain.EvDeferProc, chain.EvDeferProcStack, chain.EvDeferRangeFunc:
					if len(e.Chain) != len(prev)+1 || e.Chain[0] != e.Record || !slices.Equal(e.Chain[1:], prev) {
						t.Errorf("event %d %s: chain %v after %v, want the record pushed at the head", e.Seq, e.Kind, e.Chain, prev)
					}
				case chain.EvFreeDefer:
					if len(prev) == 0 || prev[0] != e.Record || !slices.Equal(e.Chain, prev[1:]) {
						t.Errorf("event %d: popDefer of #%d took %v to %v, want the head popped", e.Seq, e.Record, prev, e.Chain)
					}
				default:
					if !slices.Equal(e.Chain, prev) {
						t.Errorf("event %d %s changed the chain from %v to %v", e.Seq, e.Kind, prev, e.Chain)
					}
				}
				prev = e.Chain
				switch e.Kind {
				case chain.EvOpenDefer:
					if d := e.BitsAfter ^ e.BitsBefore; bits.OnesCount8(d) != 1 || e.BitsAfter&d == 0 || d != 1<<e.Slot {
						t.Errorf("event %d: open-defer %08b -> %08b slot %d, want slot's bit set", e.Seq, e.BitsBefore, e.BitsAfter, e.Slot)
					}
				case chain.EvOpenExit:
					if d := e.BitsAfter ^ e.BitsBefore; bits.OnesCount8(d) != 1 || e.BitsBefore&d == 0 || d != 1<<e.Slot || e.BitsAfter>>e.Slot != 0 {
						t.Errorf("event %d: open-exit %08b -> %08b slot %d, want the highest bit cleared", e.Seq, e.BitsBefore, e.BitsAfter, e.Slot)
					}
				}
				q := e.Pool
				if q.Hits < pool.Hits || q.Refills < pool.Refills || q.Spills < pool.Spills || q.Allocs < pool.Allocs || q.Local > 32 {
					t.Errorf("event %d: pool went from %+v to %+v", e.Seq, pool, q)
				}
				pool = q
			}
			if res.How == "return" && len(prev) != 0 {
				t.Errorf("the program returned with records left on the list: %v", prev)
			}
		})
	}
}
