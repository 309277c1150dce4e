package difftest

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/realtrace"
	"github.com/deferio/deferio/internal/testenv"
)

func TestInlinedNames(t *testing.T) {
	model := map[string]int{"main.seq": 5, "main.seq.func1": 6, "main.f": 20, "main.f.func1": 22, "main.g.func1": 30, "main.h.func1": 30,
		"main.f3": 40, "main.f3.func1": 41, "main.f3.func1.1": 42, "main.f3.func1.1-range1": 43, "main.f4-range1": 50}
	real := map[string]int{
		"main.f":             20, // known: kept
		"main.f.seq.func2":   6,  // seq's literal inlined into f
		"main.f.func1.seq.1": 6,  // into f's closure
		"main.f.other.func3": 6,  // names another function: not mapped
		"main.k.g.func4":     30, // two literals start on line 30: not mapped
		// the range body of a literal inlined into its caller's copy
		"main.f3.f3.func1.func7-range1": 43,
		"main.f4-range1":                50, // known: kept
		"main.g4.f4-range1":             50, // not a literal's body: not mapped
	}
	got := inlinedNames(model, real)
	want := map[string]string{"main.f.seq.func2": "main.seq.func1", "main.f.func1.seq.1": "main.seq.func1",
		"main.f3.f3.func1.func7-range1": "main.f3.func1.1-range1"}
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

// inlinedRangeBody has a range-over-func body in a function literal
// that the inliner copies into f when it inlines the literal around it:
// the real body is main.f.f.func1.funcN-range1, the model's
// main.f.func1.1-range1, and both start on the loop's for keyword.
const inlinedRangeBody = `package main

import "fmt"

func seq(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

func f(a int) {
	func() {
		func() {
			for q := range seq(2) {
				defer func() {
					if e := recover(); e != nil {
						fmt.Println("recovered", e)
					}
				}()
				fmt.Println("body", q, a)
			}
		}()
	}()
}

func main() { f(1) }
`

// TestInlinedRangeBody traces inlinedRangeBody on both sides: the steps
// agree once the real range body is compared under the model's name.
func TestInlinedRangeBody(t *testing.T) {
	testenv.NeedGo(t)
	rt, err := TraceBoth(context.Background(), Program{Name: "inlined_range_body", Src: []byte(inlinedRangeBody)}, realtrace.Options{})
	if errors.Is(err, realtrace.ErrUnavailable) {
		testenv.Need(t, "ptrace", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	renamed := false
	for _, r := range rt.Diff.Renamed {
		renamed = renamed || strings.HasSuffix(r, " = main.f.func1.1-range1")
	}
	if !renamed || !rt.Agrees() {
		t.Errorf("renamed %v; agrees %v at step %d: %v; output %v", rt.Diff.Renamed, rt.Agrees(), rt.Diff.First, rt.Diff.Diffs, rt.Output)
	}
}
