package chain

import (
	"fmt"
	"strconv"
)

// A record models a runtime._defer: one deferred call on the goroutine's
// list. Heap records come from the pools (deferproc); stack records live
// in their frame (deferprocStack). Open-coded defers have no record.
type record struct {
	ID    int
	Heap  bool
	Frame *Frame // the frame that deferred it (the runtime's d.sp)
	Site  string // the defer statement (the runtime's d.pc)
	fn    func()
	link  *record
	// loop is set on the record deferrangefunc made: its list holds the
	// defers of the loop's body until deferconvert splices them in.
	loop *RangeDefers
}

// RangeDefers is the defer list of a range-over-func loop whose body
// defers (the atomic head runtime.deferrangefunc returns): the body's
// defer statements push onto it with [G.DeferProcAt], and they run as
// defers of the frame that holds the loop.
type RangeDefers struct {
	rec  *record
	list *record
}

// DeferRangeFunc models runtime.deferrangefunc at the start of a
// range-over-func loop in frame f: newdefer takes a record, which heads
// the defer list and holds the loop's own list.
func (g *G) DeferRangeFunc(f *Frame, site string) *RangeDefers {
	id, how, cost := g.pool.get()
	d := &record{ID: id, Heap: true, Frame: f, Site: site, link: g.defers}
	d.loop = &RangeDefers{rec: d}
	g.emit(Event{Kind: EvNewDefer, Record: id, Heap: true, Site: site, Cost: cost, Detail: how}, f)
	g.defers, g.snap = d, nil
	g.emit(Event{Kind: EvDeferRangeFunc, Record: id, Heap: true, Site: site}, f)
	return d.loop
}

// DeferProcAt models a defer statement in the body of a range-over-func
// loop (deferprocat): a heap record pushed on the loop's list, which
// belongs to the frame that holds the loop, not to the body's frame.
func (g *G) DeferProcAt(rd *RangeDefers, site string, fn func()) {
	f := rd.rec.Frame
	id, how, cost := g.pool.get()
	g.emit(Event{Kind: EvNewDefer, Record: id, Heap: true, Site: site, Cost: cost, Detail: how}, f)
	rd.list = &record{ID: id, Heap: true, Frame: f, Site: site, fn: fn, link: rd.list}
	g.snap = nil
	g.emit(Event{Kind: EvDeferProcAt, Record: id, Heap: true, Site: site, Detail: "on the list of the loop's record " + strconv.Itoa(rd.rec.ID)}, f)
}

// deferconvert splices the list of the loop record d, the head of the
// defer chain, in after it; popDefer then frees d.
func (g *G) deferconvert(d *record) {
	n := 0
	if l := d.loop.list; l != nil {
		last := l
		for n = 1; last.link != nil; n++ {
			last = last.link
		}
		last.link, d.link = d.link, l
	}
	d.loop.list, d.loop = nil, nil
	g.snap = nil
	g.emit(Event{Kind: EvDeferConvert, Record: d.ID, Heap: true, Site: d.Site, Detail: strconv.Itoa(n) + " deferred calls of the loop body join the chain"}, d.Frame)
	g.popDefer()
}

// A Frame is one active call, made by [G.Call] and valid until Call
// returns. An open-coded frame holds its pending defers in Bits and in
// closure slots, never on the defer list; a frame that is not open-coded
// has Bits zero and its records on the list, between those of the frames
// it called and those of its callers. Callers read a Frame; only the
// model changes it.
type Frame struct {
	ID    int
	Func  string
	Depth int // 0 for the first frame; the runtime's sp decreases with it
	// Open is true when the function's defers are open-coded.
	Open bool
	// Linked is true when the function has defers that the compiler
	// did not open-code: every normal exit calls deferreturn (see
	// [G.CallLinked]).
	Linked bool
	// Bits is the frame's deferBits: bit i set means slot i is pending.
	Bits  uint8
	slots [8]func() // the closure slots, one per open-coded defer statement
	sites [8]string
	// invokedBy is the panic whose defer loop called this frame's
	// function directly, the condition for recover to work.
	invokedBy *panicState
	g         *G
}

// Options configure a [G].
type Options struct {
	// Trace keeps every event in [G.Events].
	Trace bool
	// OnEvent, if set, is called with each event as it happens.
	OnEvent func(Event)
	// Describe, if set, gives the text the crash report prints for a
	// panic value, replacing the text given to [G.Panic]. It is called
	// when the report is printed, newest panic first, as the runtime's
	// preprintpanics calls Error and String methods.
	Describe func(arg any) string
	// PrintingPanic, if set, gives the text the runtime prints after
	// "fatal error: panic while printing panic value: " when Describe
	// itself panics and nothing recovers: the value if it is a string,
	// else "type " and its type. Without it, the panic's text is used.
	PrintingPanic func(arg any) string
}

// A G models one goroutine (the main one) and the P it runs on: the
// frames, the defer list, the panics and the record pools. A G is used by
// one goroutine of the caller at a time; [G.Run] may be called again
// after it returns, and the pools carry over, as a P's do.
type G struct {
	opts    Options
	frames  []*Frame
	defers  *record
	panics  *panicState
	pool    *pool // the P's pools: shared by every goroutine of the program
	id      int   // the goroutine's ID: 1 for the main goroutine
	root    *G    // the main goroutine, for goroutines made by NewGoroutine
	spawned bool  // the main goroutine has started other goroutines
	seq     int
	frameID int
	panicID int
	snap    []int       // Chain() since the list last changed, shared by events
	catchAt *Frame      // the frame a recovery is unwinding to
	catchGx *panicState // the Goexit a recovery is unwinding to
	// floor is the depth below which panics do not walk: while the crash
	// report calls Describe, the frames below belong to preprintpanics,
	// whose deferred recover turns a panic into a fatal error.
	floor   int
	pending *panicState // set while the runtime invokes a deferred call
	invoked bool
	events  []Event
	total   float64
	count   [evLast + 1]int
	cost    [evLast + 1]float64
	out     Outcome
}

// NewG returns a goroutine with an empty defer list and empty pools. It
// takes the modelled costs from [Cost].
func NewG(opts Options) *G {
	g := &G{opts: opts, pool: &pool{}, id: 1}
	for k, c := range defaultCost {
		if k > 0 && k <= evLast {
			g.cost[k] = c
		}
	}
	return g
}

// Events returns the events recorded so far (with Options.Trace).
func (g *G) Events() []Event { return g.events }

// TotalCost returns the sum of the modelled costs of all events.
func (g *G) TotalCost() float64 { return g.total }

// Count returns how many events of kind k happened.
func (g *G) Count(k EventKind) int {
	if k <= 0 || k > evLast {
		return 0
	}
	return g.count[k]
}

// Pool returns the pools' state.
func (g *G) Pool() PoolState { return g.pool.state }

// Chain returns the IDs of the records on the defer list, head first.
func (g *G) Chain() []int {
	ids := []int{}
	for d := g.defers; d != nil; d = d.link {
		ids = append(ids, d.ID)
	}
	return ids
}

// Depth returns the number of active frames.
func (g *G) Depth() int { return len(g.frames) }

func (g *G) emit(e Event, f *Frame) {
	r := g.shared()
	r.seq++
	e.Seq = r.seq
	if g.root != nil {
		e.G = g.id
	}
	if f != nil {
		e.Frame, e.Func, e.Depth = f.ID, f.Func, f.Depth
	}
	if e.Cost == 0 {
		e.Cost = g.cost[e.Kind]
	}
	r.total += e.Cost
	r.count[e.Kind]++
	if !g.opts.Trace && g.opts.OnEvent == nil {
		return
	}
	if e.Slot == 0 && e.Kind != EvOpenDefer && e.Kind != EvOpenExit && !(e.Kind == EvRunDefer && e.Record == 0) {
		e.Slot = -1
	}
	if g.snap == nil {
		g.snap = g.Chain()
	}
	e.Chain = g.snap
	if e.Kind == EvThrow && f == nil {
		e.Chain = []int{} // the scheduler's: no goroutine, no list
	}
	e.Pool = g.pool.state
	if g.opts.Trace {
		r.events = append(r.events, e)
	}
	if g.opts.OnEvent != nil {
		g.opts.OnEvent(e)
	}
}

// Call runs body in a new frame of function name, as a compiled call of
// a function does. open says whether the function's defers are
// open-coded (the compiler decides it for the whole function). When body
// returns, the frame's defers run as the compiled exit code would: the
// open-coded bits inline, from the highest down, or deferreturn for
// linked records. If a deferred call of this frame recovers a panic,
// Call resumes at the frame's deferreturn and returns normally, as the
// runtime's recovery does.
//
// A frame that is not open-coded calls deferreturn when it returns with
// a record of its own on the list; [G.CallLinked] says the compiler's
// rule exactly.
func (g *G) Call(name string, open bool, body func(f *Frame)) {
	g.call(&Frame{Func: name, Open: open}, body)
}

// CallLinked is [G.Call] for a function with defer statements that the
// compiler did not open-code (or with a range-over-func loop whose body
// defers, which calls deferrangefunc): the compiler makes each of its
// normal exits call deferreturn whether or not one of those defer
// statements ran, because the function has a defer (ssagen's exit code
// tests the function's HasDefer, set by walk, never the list).
func (g *G) CallLinked(name string, body func(f *Frame)) {
	g.call(&Frame{Func: name, Linked: true}, body)
}

func (g *G) call(f *Frame, body func(f *Frame)) {
	r := g.shared()
	r.frameID++
	f.ID, f.Depth, f.g = r.frameID, len(g.frames), g
	if g.invoked {
		f.invokedBy = g.pending
		g.invoked, g.pending = false, nil
	}
	g.frames = append(g.frames, f)
	g.emit(Event{Kind: EvCall}, f)
	recovered := g.catch(f, func() { body(f) })
	if !recovered {
		// The compiled exit: inline open-coded calls, or deferreturn.
		switch {
		case f.Open:
			recovered = g.catch(f, func() { g.openExit(f) })
		case f.Linked || g.defers != nil && g.defers.Frame == f:
			recovered = g.catch(f, func() { g.deferreturn(f) })
		}
	}
	// A recovery lands on the frame's deferreturn call, which may itself
	// run a deferred call that panics and is recovered here again.
	for recovered {
		recovered = g.catch(f, func() { g.deferreturn(f) })
	}
	g.frames = g.frames[:f.Depth]
	g.emit(Event{Kind: EvReturn}, f)
}

// catch runs fn and reports whether a recovery unwound to frame f. Only
// the unwind aimed at f is recovered here: any other Go panic goes on
// without being caught and re-raised, so deep stacks unwind in linear time.
func (g *G) catch(f *Frame, fn func()) (recovered bool) {
	defer func() {
		if g.catchAt != f {
			return
		}
		r := recover()
		if u, ok := r.(*unwind); !ok || u.target != f {
			panic(r) // not reached: catchAt is only set for f's unwind
		}
		g.catchAt = nil
		recovered = true
	}()
	fn()
	return false
}

// DeferProc models a heap-allocated defer statement in frame f: newdefer
// takes a record from the pools (or allocates one) and deferproc links it
// at the head of the list.
func (g *G) DeferProc(f *Frame, site string, fn func()) {
	id, how, cost := g.pool.get()
	d := &record{ID: id, Heap: true, Frame: f, Site: site, fn: fn, link: g.defers}
	g.emit(Event{Kind: EvNewDefer, Record: id, Heap: true, Site: site, Cost: cost, Detail: how}, f)
	g.defers, g.snap = d, nil
	g.emit(Event{Kind: EvDeferProc, Record: id, Heap: true, Site: site}, f)
}

// DeferProcStack models a stack-allocated defer statement in frame f:
// the record is part of the frame and deferprocStack links it.
func (g *G) DeferProcStack(f *Frame, site string, fn func()) {
	d := &record{ID: g.pool.newID(), Frame: f, Site: site, fn: fn, link: g.defers}
	g.defers, g.snap = d, nil
	g.emit(Event{Kind: EvDeferProcStack, Record: d.ID, Site: site}, f)
}

// OpenDefer models an open-coded defer statement: fn goes to slot i of
// frame f and bit i of f's deferBits is set. It reports an error, and
// changes nothing, when f is not open-coded or i is not a slot (0-7).
func (g *G) OpenDefer(f *Frame, i int, site string, fn func()) error {
	if !f.Open {
		return fmt.Errorf("unable to open-code the defer at %s: function %s is not open-coded", site, f.Func)
	}
	if i < 0 || i > 7 {
		return fmt.Errorf("unable to open-code the defer at %s: slot %d is not in 0..7", site, i)
	}
	before := f.Bits
	f.slots[i], f.sites[i] = fn, site
	f.Bits |= 1 << i
	g.emit(Event{Kind: EvOpenDefer, Site: site, Slot: i, BitsBefore: before, BitsAfter: f.Bits}, f)
	return nil
}

// openExit is the inline exit code of an open-coded frame
// (ssagen openDeferExit): test each bit from the highest, clear it, call.
func (g *G) openExit(f *Frame) {
	for i := 7; i >= 0; i-- {
		if f.Bits&(1<<i) == 0 {
			continue
		}
		before := f.Bits
		f.Bits &^= 1 << i
		g.emit(Event{Kind: EvOpenExit, Site: f.sites[i], Slot: i, BitsBefore: before, BitsAfter: f.Bits}, f)
		fn := f.slots[i]
		f.slots[i] = nil
		g.invoke(fn, nil)
	}
}

// deferreturn runs the pending defers of frame f: its open-coded bits
// (left over after a recovery), then its linked records.
func (g *G) deferreturn(f *Frame) {
	g.emit(Event{Kind: EvDeferReturn, BitsBefore: f.Bits, BitsAfter: f.Bits}, f)
	for {
		fn, ok := g.next(f, "deferreturn")
		if !ok {
			return
		}
		g.invoke(fn, nil)
	}
}

// next returns the next deferred call of frame f, if any: open-coded
// bits from the highest down, then the head record if f owns it (which
// is popped and freed).
func (g *G) next(f *Frame, why string) (func(), bool) {
	if f.Open && f.Bits != 0 {
		i := 7
		for f.Bits&(1<<i) == 0 {
			i--
		}
		before := f.Bits
		f.Bits &^= 1 << i
		fn := f.slots[i]
		f.slots[i] = nil
		g.emit(Event{Kind: EvRunDefer, Site: f.sites[i], Slot: i, BitsBefore: before, BitsAfter: f.Bits, Detail: why + ": open-coded slot"}, f)
		return fn, true
	}
	d := g.defers
	if d == nil || d.Frame != f {
		return nil, false
	}
	if d.loop != nil {
		g.deferconvert(d)
		return g.next(f, why)
	}
	g.emit(Event{Kind: EvRunDefer, Record: d.ID, Heap: d.Heap, Site: d.Site, BitsBefore: f.Bits, BitsAfter: f.Bits, Detail: why + ": linked record"}, f)
	fn := d.fn
	g.popDefer()
	return fn, true
}

// popDefer unlinks the head record and returns heap records to the pool.
func (g *G) popDefer() {
	d := g.defers
	g.defers, g.snap = d.link, nil
	d.link, d.fn = nil, nil
	e := Event{Kind: EvFreeDefer, Record: d.ID, Heap: d.Heap, Site: d.Site, Detail: "stack record: nothing to free"}
	if d.Heap {
		cost, spilled := g.pool.put(d.ID)
		e.Cost = g.cost[EvFreeDefer] + cost
		e.Detail = "back to the per-P pool"
		if spilled {
			e.Detail = "per-P pool full: half moved to the global pool, then pushed"
		}
	}
	g.emit(e, d.Frame)
}

// NotInvoked tells the model that the deferred call now running is not a
// function of the program (it is a library function such as fmt.Println):
// any function it calls in turn was not called by the runtime, so recover
// does not work there, as the runtime sees more than one frame between
// itself and recover.
func (g *G) NotInvoked() { g.invoked, g.pending = false, nil }

// invoke calls a deferred function. by is the panic (or Goexit) whose
// loop calls it, nil for deferreturn and open-coded exits.
func (g *G) invoke(fn func(), by *panicState) {
	g.pending, g.invoked = by, true
	defer func() { g.pending, g.invoked = nil, false }()
	if fn == nil {
		// The runtime calls the nil func value and faults.
		g.invoked = false
		g.nilDeref()
		return
	}
	fn()
}
