package realtrace

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/defer/chain"
)

// recordSize is the size of runtime.dtRecord (probes.go.txt).
const recordSize = 48

// Record kinds: the probes' (probes.go.txt), then the tracer's own for
// the deferBits stores it watches.
const (
	dtDeferProc = iota + 1
	dtDeferProcStack
	dtDeferReturn
	dtRunOpen
	dtRunLinked
	dtFreeDefer
	dtPanic
	dtRecover
	dtRecovery
	dtGoexit
	dtExit
	dtCrash
	dtThrow
	dtOpenDefer
	dtOpenExit
)

// Record flags (probes.go.txt).
const (
	flHeap       = 1
	flAccepted   = 2
	flByPanic    = 4
	flByGoexit   = 8
	flByDeferRet = 16
	flElided     = 32 // the tracer's: the compiler dropped this store
)

var recordKinds = map[uint8]chain.EventKind{
	dtDeferProc: chain.EvDeferProc, dtDeferProcStack: chain.EvDeferProcStack,
	dtDeferReturn: chain.EvDeferReturn, dtRunOpen: chain.EvRunDefer, dtRunLinked: chain.EvRunDefer,
	dtFreeDefer: chain.EvFreeDefer, dtPanic: chain.EvPanic, dtRecover: chain.EvRecover,
	dtRecovery: chain.EvRecovery, dtGoexit: chain.EvGoexit, dtExit: chain.EvExit, dtCrash: chain.EvCrash,
	dtThrow: chain.EvThrow, dtOpenDefer: chain.EvOpenDefer, dtOpenExit: chain.EvOpenExit,
}

// record is one decoded probe record.
type record struct {
	kind, flags   uint8
	slot          int8
	before, after uint8
	listLen       int
	depth         int16 // non-runtime frames below, or -1
	mainDepth     int16 // those of package main
	goid          uint32
	pc, sp, rec   uint64
	nameOff       int32
	// mainNameOff names the innermost frame of package main at or below
	// the record's.
	mainNameOff int32
}

func decodeRecord(b []byte) record {
	le := binary.LittleEndian
	return record{kind: b[0], flags: b[1], slot: int8(b[2]), before: b[3], after: b[4],
		listLen: int(le.Uint16(b[6:])), depth: int16(le.Uint16(b[8:])), mainDepth: int16(le.Uint16(b[10:])), goid: le.Uint32(b[12:]),
		pc: le.Uint64(b[16:]), sp: le.Uint64(b[24:]), rec: le.Uint64(b[32:]), nameOff: int32(le.Uint32(b[40:])),
		mainNameOff: int32(le.Uint32(b[44:]))}
}

// decoder turns records into events: it names records and frames with
// small IDs and keeps each goroutine's list, as the model does.
type decoder struct {
	p          *Program
	all        bool               // all frames, not only package main's
	sites      map[int][]Strategy // defer statements by line
	strategies []Strategy         // in source order
	recIDs     map[uint64]int
	frames     map[string]int
	lists      map[uint32][]int
	heap       map[int]bool
	lastDep    map[string]int
	open       map[string][]string // the open-coded sites of a function, by slot
}

// openSite returns the site of slot in the function at pc: its open-coded
// defer statements, in source order, are its slots (the store itself
// may sit on another line: the compiler merges and sinks them).
func (d *decoder) openSite(pc uint64, slot int) string {
	f := d.p.bin.funcAt(pc)
	if f == nil {
		return ""
	}
	sites, ok := d.open[f.name]
	if !ok {
		lines := map[int]bool{}
		for at := f.entry; at < f.end; at++ {
			if file, line, _ := d.p.bin.lines.PCToLine(at); filepath.Base(file) == "main.go" {
				lines[line] = true
			}
		}
		for _, s := range d.strategies {
			if s.Kind == "open-coded" && lines[s.Line] {
				sites = append(sites, fmt.Sprintf("main.go:%d:%d", s.Line, s.Col))
			}
		}
		d.open[f.name] = sites
	}
	if slot >= 0 && slot < len(sites) {
		return sites[slot]
	}
	return d.site(pc, false)
}

// decode returns the events of the records, those of package main's
// frames only unless all.
func (p *Program) decode(raw []byte, strategies []Strategy, all bool) []chain.Event {
	d := &decoder{p: p, all: all, sites: map[int][]Strategy{}, strategies: strategies, open: map[string][]string{}, recIDs: map[uint64]int{}, frames: map[string]int{},
		lists: map[uint32][]int{}, heap: map[int]bool{}, lastDep: map[string]int{}}
	for _, s := range strategies {
		d.sites[s.Line] = append(d.sites[s.Line], s)
	}
	var events []chain.Event
	for off := 0; off+recordSize <= len(raw); off += recordSize {
		r := decodeRecord(raw[off : off+recordSize])
		e, ok := d.event(r)
		if ok && !all && !isMain(e.Func) {
			d.atMainFrame(&e, r)
		}
		if !ok || (!all && !isMain(e.Func) && !schedulerThrow(e)) {
			continue
		}
		e.Seq = len(events) + 1
		events = append(events, e)
	}
	return events
}

func (d *decoder) event(r record) (chain.Event, bool) {
	kind, ok := recordKinds[r.kind]
	if !ok {
		return chain.Event{}, false
	}
	name := d.p.bin.name(r.nameOff)
	if name == "" {
		if f := d.p.bin.funcAt(r.pc); f != nil {
			name = f.name
		}
	}
	e := chain.Event{Kind: kind, Func: name, Slot: -1, G: gid(r.goid)}
	// A trace of package main's frames counts only theirs, as the
	// model (which has no frames for most of the library) does.
	e.Depth = int(r.depth)
	if !d.all {
		e.Depth = int(r.mainDepth)
	}
	if r.kind == dtThrow && r.goid == 0 {
		// The scheduler's throw, on a thread that runs no goroutine:
		// no frame, no list (as the model reports it).
		e.Depth, e.Chain = 0, []int{}
		return e, true
	}
	if r.depth < 0 {
		e.Depth = d.lastDep[name]
	}
	d.lastDep[name] = e.Depth
	key := fmt.Sprintf("%d/%#x/%s", r.goid, r.sp, name)
	if d.frames[key] == 0 {
		d.frames[key] = len(d.frames) + 1
	}
	e.Frame = d.frames[key]
	if r.rec != 0 {
		if d.recIDs[r.rec] == 0 {
			d.recIDs[r.rec] = len(d.recIDs) + 1
		}
		e.Record = d.recIDs[r.rec]
		e.Heap = r.flags&flHeap != 0
		d.heap[e.Record] = e.Heap
	}
	switch r.kind {
	case dtDeferProc, dtDeferProcStack:
		e.Site = d.site(r.pc, true)
	case dtOpenDefer:
		e.Site = d.openSite(r.pc, int(r.slot))
	}
	switch r.kind {
	case dtOpenDefer, dtOpenExit, dtRunOpen:
		e.Slot, e.BitsBefore, e.BitsAfter = int(r.slot), r.before, r.after
	}
	e.Detail = detail(r, name)
	e.Chain = d.list(r, e.Record)
	return e, true
}

// atMainFrame moves a panic, a crash or a throw that a library frame
// raised (sync's negative WaitGroup counter, a copied strings.Builder,
// an unlock of an unlocked mutex) to the
// innermost frame of package main below it, where the program called
// into the library, so that a trace of package main's frames keeps it.
func (d *decoder) atMainFrame(e *chain.Event, r record) {
	if (e.Kind != chain.EvPanic && e.Kind != chain.EvCrash && e.Kind != chain.EvThrow) || r.mainNameOff == 0 || r.depth < 0 {
		return
	}
	name := d.p.bin.name(r.mainNameOff)
	if name == "" {
		return
	}
	e.Detail = strings.TrimPrefix(e.Detail+"; ", "; ") + "raised in " + e.Func
	e.Func, e.Depth = name, int(r.mainDepth)-1
}

// list updates and returns the goroutine's defer list after the step,
// with the length the runtime reported (records pushed before the first
// probe, or by deferrangefunc, have ID 0).
func (d *decoder) list(r record, id int) []int {
	l := d.lists[r.goid]
	switch r.kind {
	case dtDeferProc, dtDeferProcStack:
		l = append([]int{id}, l...)
	case dtFreeDefer:
		for i, x := range l {
			if x == id {
				l = append(append([]int{}, l[:i]...), l[i+1:]...)
				break
			}
		}
	}
	for len(l) > r.listLen {
		l = l[:len(l)-1]
	}
	for len(l) < r.listLen {
		l = append(l, 0)
	}
	d.lists[r.goid] = l
	return l
}

// schedulerThrow reports whether e is a throw in no frame: the
// scheduler's, after the last goroutine stopped (checkdead).
func schedulerThrow(e chain.Event) bool { return e.Kind == chain.EvThrow && e.Func == "" }

// gid is the event's goroutine: 0 for the main goroutine (goid 1), else
// the runtime's goroutine ID, as the model numbers them.
func gid(goid uint32) int {
	if goid == 1 {
		return 0
	}
	return int(goid)
}

// site returns "main.go:LINE:COL" of the defer statement at pc (after a
// call, the return address: the call's line is that of pc-1).
func (d *decoder) site(pc uint64, afterCall bool) string {
	if afterCall {
		pc--
	}
	file, line, _ := d.p.bin.lines.PCToLine(pc)
	if file == "" {
		return ""
	}
	file = filepath.Base(file)
	if ss := d.sites[line]; len(ss) == 1 && file == "main.go" {
		return fmt.Sprintf("%s:%d:%d", file, line, ss[0].Col)
	}
	return fmt.Sprintf("%s:%d", file, line)
}

func detail(r record, name string) string {
	loop := "gopanic"
	switch {
	case r.flags&flByGoexit != 0:
		loop = "Goexit"
	case r.flags&flByDeferRet != 0:
		loop = "deferreturn"
	}
	switch r.kind {
	case dtRunOpen:
		return loop + ": open-coded slot"
	case dtRunLinked:
		return loop + ": linked record"
	case dtRecover:
		if r.flags&flAccepted != 0 {
			return "stops the panic"
		}
		return "returns nil (no panic it may stop)"
	case dtOpenDefer:
		if r.flags&flElided != 0 {
			return "no store of its own: the compiler merged or dropped it, as nothing could observe the byte before the next store"
		}
	case dtRecovery:
		return "resume at " + name + "'s deferreturn"
	case dtFreeDefer:
		if r.flags&flHeap != 0 {
			return "heap record back to the pools"
		}
		return "stack record unlinked"
	}
	return ""
}
