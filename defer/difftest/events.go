package difftest

import (
	"fmt"
	"strings"

	"github.com/deferio/deferio/defer/chain"
)

// A Step is the part of an event that the model and the real runtime
// (package defer/realtrace) can both report: its kind, frame, strategy
// and the defer list's length after it.
type Step struct {
	Kind  chain.EventKind
	Func  string // the frame's function
	Depth int
	G     int
	// Strategy is "open-coded", "stack" or "heap" for the steps that
	// concern one defer (empty for the others).
	Strategy string
	Slot     int   // the open-coded slot, or -1
	Bits     uint8 // deferBits after an open-coded step
	List     int   // the length of the _defer list after the step
	// Accepted is true for a recover that stopped a panic.
	Accepted bool
}

// comparable are the kinds both sides report. Calls, returns, newdefer,
// popDefer and the pools are the model's alone.
var comparable = map[chain.EventKind]bool{
	chain.EvDeferProc: true, chain.EvDeferProcStack: true, chain.EvOpenDefer: true, chain.EvOpenExit: true,
	chain.EvDeferReturn: true, chain.EvRunDefer: true, chain.EvPanic: true, chain.EvRecover: true,
	chain.EvRecovery: true, chain.EvGoexit: true, chain.EvExit: true, chain.EvCrash: true,
	chain.EvThrow: true,
}

// Steps returns the comparable steps of events, in order, of package
// main's frames only, as package realtrace reports them by default:
// the model has frames for a few library functions (fmt's
// handleMethods and catchPanic), the real runtime for all of them. A
// step's depth counts the frames of package main below it (the calls
// and returns among events give the model's stack; the tracer counts
// them itself). Goroutines are numbered by their first step (the main
// goroutine is 0, the next one to appear 1 ...): the model's IDs and
// the runtime's goids differ.
func Steps(events []chain.Event) []Step {
	var out []Step
	gs := map[int]int{0: 0}
	stacks := map[int][]string{} // the model's frames by goroutine, by depth
	for _, e := range events {
		depth := e.Depth
		if st, ok := stacks[e.G]; ok || e.Kind == chain.EvCall {
			if e.Kind == chain.EvCall && e.Depth >= 0 {
				st = append(st[:min(e.Depth, len(st))], e.Func)
				stacks[e.G] = st
			}
			depth = 0
			for _, f := range st[:min(max(e.Depth, 0), len(st))] {
				if isMain(f) {
					depth++
				}
			}
		}
		// A throw in no frame is the scheduler's (checkdead, when no
		// goroutine is left to run), on the main goroutine's number.
		sched := e.Kind == chain.EvThrow && e.Func == ""
		if !comparable[e.Kind] || !isMain(e.Func) && !sched {
			continue
		}
		if sched {
			out = append(out, Step{Kind: e.Kind, Slot: -1})
			continue
		}
		if _, ok := gs[e.G]; !ok {
			gs[e.G] = len(gs)
		}
		s := Step{Kind: e.Kind, Func: e.Func, Depth: depth, G: gs[e.G], Slot: -1, List: len(e.Chain)}
		switch e.Kind {
		case chain.EvOpenDefer, chain.EvOpenExit:
			s.Strategy, s.Slot, s.Bits = "open-coded", e.Slot, e.BitsAfter
		case chain.EvDeferProc, chain.EvDeferProcStack, chain.EvRunDefer:
			s.Strategy = "stack"
			if e.Heap {
				s.Strategy = "heap"
			}
			if e.Kind == chain.EvRunDefer && e.Record == 0 {
				s.Strategy, s.Slot, s.Bits = "open-coded", e.Slot, e.BitsAfter
			}
		case chain.EvRecover:
			s.Accepted = strings.HasPrefix(e.Detail, "stops ")
		}
		out = append(out, s)
	}
	return out
}

func isMain(name string) bool { return strings.HasPrefix(name, "main.") }

// String is the step on one line, as the side-by-side view shows it.
func (s Step) String() string {
	fn := s.Func
	if fn == "" {
		fn = "(no goroutine)"
	}
	str := fmt.Sprintf("%s %s", s.Kind, fn)
	if s.G != 0 {
		str = fmt.Sprintf("[g%d] %s", s.G, str)
	}
	if s.Strategy != "" {
		str += " " + s.Strategy
	}
	if s.Slot >= 0 {
		str += fmt.Sprintf(" slot %d bits %08b", s.Slot, s.Bits)
	}
	if s.Kind == chain.EvRecover {
		if s.Accepted {
			str += " accepted"
		} else {
			str += " nil"
		}
	}
	return str + fmt.Sprintf(" depth %d list %d", s.Depth, s.List)
}

// A TraceDiff is the comparison of the model's steps with the real
// runtime's.
type TraceDiff struct {
	Model, Real []Step
	// First is the index of the first step where they differ, or -1
	// when they agree on every step.
	First int
	// Diffs says, field by field, what differs at First (and "the model
	// has N more steps" when one is a prefix of the other).
	Diffs []string
	// Renamed lists, as "real = model", the closures of inlined
	// functions whose real frames were compared under the model's name
	// of their literal (see TraceBoth).
	Renamed []string
}

// Rows is the number of rows of d shown side by side: the longer side's
// steps.
func (d TraceDiff) Rows() int { return max(len(d.Model), len(d.Real)) }

// Row returns row i side by side: the model's step and the real one, ""
// where a side has no step i.
func (d TraceDiff) Row(i int) (model, real string) {
	if i < len(d.Model) {
		model = d.Model[i].String()
	}
	if i < len(d.Real) {
		real = d.Real[i].String()
	}
	return model, real
}

// CompareEvents compares the steps of the model's events with those of
// the real runtime's, in order: kind, frame (function and depth),
// goroutine, strategy, slot and deferBits, and the list length at each
// step.
func CompareEvents(model, real []chain.Event) TraceDiff {
	d := TraceDiff{Model: Steps(model), Real: Steps(real), First: -1}
	n := min(len(d.Model), len(d.Real))
	for i := 0; i < n; i++ {
		if diffs := stepDiffs(d.Model[i], d.Real[i]); diffs != nil {
			d.First, d.Diffs = i, diffs
			return d
		}
	}
	switch {
	case len(d.Model) > n:
		d.First, d.Diffs = n, []string{fmt.Sprintf("the model has %d more steps, from %s", len(d.Model)-n, d.Model[n])}
	case len(d.Real) > n:
		d.First, d.Diffs = n, []string{fmt.Sprintf("the real runtime has %d more steps, from %s", len(d.Real)-n, d.Real[n])}
	}
	return d
}

func stepDiffs(m, r Step) []string {
	var diffs []string
	add := func(what string, mv, rv any) {
		if mv != rv {
			diffs = append(diffs, fmt.Sprintf("%s: model %v, real %v", what, mv, rv))
		}
	}
	add("kind", m.Kind, r.Kind)
	add("frame", m.Func, r.Func)
	add("depth", m.Depth, r.Depth)
	add("goroutine", m.G, r.G)
	add("strategy", m.Strategy, r.Strategy)
	add("slot", m.Slot, r.Slot)
	add("deferBits", m.Bits, r.Bits)
	add("list length", m.List, r.List)
	add("recover accepted", m.Accepted, r.Accepted)
	return diffs
}
