package difftest

import (
	"maps"
	"testing"

	"github.com/deferio/deferio/defer/chain"
)

func TestInlinedNames(t *testing.T) {
	model := map[string]int{"main.seq": 5, "main.seq.func1": 6, "main.f": 20, "main.f.func1": 22, "main.g.func1": 30, "main.h.func1": 30}
	real := map[string]int{
		"main.f":             20, // known: kept
		"main.f.seq.func2":   6,  // seq's literal inlined into f
		"main.f.func1.seq.1": 6,  // into f's closure
		"main.f.other.func3": 6,  // names another function: not mapped
		"main.k.g.func4":     30, // two literals start on line 30: not mapped
	}
	got := inlinedNames(model, real)
	want := map[string]string{"main.f.seq.func2": "main.seq.func1", "main.f.func1.seq.1": "main.seq.func1"}
	if !maps.Equal(got, want) {
		t.Errorf("inlinedNames = %v, want %v", got, want)
	}
}

func TestFoldedExits(t *testing.T) {
	open := func(kind chain.EventKind, slot int, bits uint8) Step {
		return Step{Kind: kind, Func: "main.f", Strategy: "open-coded", Slot: slot, Bits: bits}
	}
	recov := Step{Kind: chain.EvRecover, Func: "main.catch", Depth: 1, Slot: -1}
	model := []Step{open(chain.EvOpenDefer, 0, 1), open(chain.EvOpenDefer, 1, 3), open(chain.EvOpenExit, 1, 1), recov, open(chain.EvOpenExit, 0, 0)}
	real := []Step{open(chain.EvOpenDefer, 0, 1), recov, open(chain.EvOpenExit, 0, 0)}
	if n, ok := foldedExits(model, real); !ok || n != 1 {
		t.Errorf("foldedExits = %d, %v; want 1, true", n, ok)
	}
	if _, ok := foldedExits(model, model); ok {
		t.Error("foldedExits explains traces that agree")
	}
	// A pair that the real trace lacks but that changes deferBits, or
	// any other missing step, is no folded exit.
	other := []Step{open(chain.EvOpenDefer, 0, 1), open(chain.EvOpenDefer, 1, 3), open(chain.EvOpenExit, 1, 3), recov, open(chain.EvOpenExit, 0, 0)}
	if _, ok := foldedExits(other, real); ok {
		t.Error("foldedExits explains a pair that leaves a bit set")
	}
	if _, ok := foldedExits(model, real[:2]); ok {
		t.Error("foldedExits explains a missing open-exit")
	}
}

func TestPerGoroutine(t *testing.T) {
	st := func(g int, fn string) Step {
		return Step{Kind: chain.EvDeferProcStack, Func: fn, G: g, Slot: -1, Strategy: "stack"}
	}
	model := []Step{st(0, "main.main"), st(1, "main.a"), st(2, "main.b"), st(1, "main.a2")}
	real := []Step{st(0, "main.main"), st(1, "main.b"), st(2, "main.a"), st(2, "main.a2")}
	if perGoroutine(model) != perGoroutine(real) {
		t.Errorf("the same goroutines' steps in another interleaving differ:\n%s\n%s", perGoroutine(model), perGoroutine(real))
	}
	swapped := []Step{st(0, "main.main"), st(1, "main.a2"), st(2, "main.b"), st(1, "main.a")}
	if perGoroutine(model) == perGoroutine(swapped) {
		t.Error("one goroutine's steps in another order compare equal")
	}
	moved := []Step{st(0, "main.main"), st(1, "main.a"), st(2, "main.b"), st(2, "main.a2")}
	if perGoroutine(model) == perGoroutine(moved) {
		t.Error("a step on another goroutine compares equal")
	}
}

func TestSchedulerThrowStep(t *testing.T) {
	events := []chain.Event{
		{Kind: chain.EvCall, Func: "main.main", Frame: 1},
		{Kind: chain.EvGoexit, Func: "main.main", Frame: 1, Slot: -1},
		{Kind: chain.EvThrow, Slot: -1, Detail: "the scheduler throws: no goroutines"},
		{Kind: chain.EvThrow, Func: "sync.fatal", Slot: -1}, // a library frame: left out
	}
	steps := Steps(events)
	if len(steps) != 2 || steps[1].Kind != chain.EvThrow || steps[1].Func != "" || steps[1].G != 0 || steps[1].List != 0 {
		t.Fatalf("steps %v, want Goexit then the scheduler's throw in no frame", steps)
	}
	if s := steps[1].String(); s != "throw (no goroutine) depth 0 list 0" {
		t.Errorf("the scheduler's throw shows as %q", s)
	}
}
