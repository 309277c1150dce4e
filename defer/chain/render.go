package chain

import (
	"fmt"
	"io"
	"strings"
)

// DiagramOptions control [WriteDiagram].
type DiagramOptions struct {
	// Color adds ANSI colours: heap records red, stack records blue,
	// open-coded bits green.
	Color bool
	// Calls includes call and return events (they are left out by default
	// for frames without defers, to keep diagrams short).
	Calls bool
}

const (
	cReset = "\x1b[0m"
	cDim   = "\x1b[2m"
	cRed   = "\x1b[31m"
	cBlue  = "\x1b[34m"
	cGreen = "\x1b[32m"
	cBold  = "\x1b[1m"
)

// WriteDiagram draws events for a terminal, one step per block: the
// step, its frame and cost, then the defer list as boxes and arrows
// (head first, each box a record: ID, heap or stack, its frame) and, for
// open-coded steps, the frame's deferBits in binary before and after.
// The pool counters close every step that touches the pools.
func WriteDiagram(w io.Writer, events []Event, opts DiagramOptions) error {
	ew := &errWriter{w: w}
	style := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + cReset
	}
	heap := map[int]bool{}
	frameOf := map[int]string{}
	active := map[int]bool{} // frames that deferred something
	for _, e := range events {
		if e.Record != 0 {
			heap[e.Record] = e.Heap
			if e.Kind == EvDeferProc || e.Kind == EvDeferProcStack {
				frameOf[e.Record] = e.Func
			}
		}
		if e.Kind == EvDeferProc || e.Kind == EvDeferProcStack || e.Kind == EvOpenDefer {
			active[e.Frame] = true
		}
	}
	for _, e := range events {
		if !opts.Calls && (e.Kind == EvCall || e.Kind == EvReturn) && !active[e.Frame] {
			continue
		}
		indent := strings.Repeat("  ", e.Depth)
		fn := e.Func
		if fn == "" && e.Kind == EvThrow {
			fn = "(the scheduler, no goroutine)"
		}
		head := fmt.Sprintf("%4d %s%-15s %s", e.Seq, indent, e.Kind, fn)
		if e.G != 0 {
			head = fmt.Sprintf("%4d %s[g%d] %-15s %s", e.Seq, indent, e.G, e.Kind, fn)
		}
		ew.printf("%s%s\n", style(cBold, head), style(cDim, fmt.Sprintf("  +%gns", e.Cost)))
		pad := "     " + indent + "  "
		if e.Site != "" {
			ew.printf("%s%s\n", pad, style(cDim, "at "+e.Site))
		}
		if e.Detail != "" {
			ew.printf("%s%s\n", pad, e.Detail)
		}
		switch e.Kind {
		case EvOpenDefer, EvOpenExit:
			ew.printf("%sdeferBits %s -> %s (slot %d)\n", pad, style(cGreen, fmt.Sprintf("%08b", e.BitsBefore)), style(cGreen, fmt.Sprintf("%08b", e.BitsAfter)), e.Slot)
		case EvRunDefer:
			if e.Record == 0 {
				ew.printf("%sdeferBits %s -> %s (slot %d)\n", pad, style(cGreen, fmt.Sprintf("%08b", e.BitsBefore)), style(cGreen, fmt.Sprintf("%08b", e.BitsAfter)), e.Slot)
			}
		}
		switch e.Kind {
		case EvDeferProc, EvDeferProcStack, EvFreeDefer, EvRunDefer, EvRecovery, EvPanic, EvGoexit, EvCrash, EvThrow:
			var boxes []string
			for _, id := range e.Chain {
				kind, col := "stack", cBlue
				if heap[id] {
					kind, col = "heap", cRed
				}
				boxes = append(boxes, style(col, fmt.Sprintf("[#%d %s %s]", id, kind, frameOf[id])))
			}
			boxes = append(boxes, "nil")
			ew.printf("%s_defer: %s\n", pad, strings.Join(boxes, " -> "))
		}
		switch e.Kind {
		case EvNewDefer, EvFreeDefer:
			p := e.Pool
			ew.printf("%s%s\n", pad, style(cDim, fmt.Sprintf("pool: per-P %d/32, global %d | hits %d, refills %d, spills %d, allocs %d",
				p.Local, p.Global, p.Hits, p.Refills, p.Spills, p.Allocs)))
		}
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
