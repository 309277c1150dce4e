package chain

import "fmt"

// EventKind says which runtime step an [Event] records.
type EventKind int

// The steps of the model, named after the runtime functions that do them.
const (
	// EvCall: a function was entered (a new frame).
	EvCall EventKind = iota + 1
	// EvReturn: a function's frame was popped.
	EvReturn
	// EvNewDefer: newdefer took a heap record (from the per-P pool, after a
	// refill from the global pool, or from a fresh allocation).
	EvNewDefer
	// EvDeferProc: deferproc pushed a heap record at the head of the list.
	EvDeferProc
	// EvDeferProcStack: deferprocStack pushed a record that lives in the frame.
	EvDeferProcStack
	// EvOpenDefer: an open-coded defer statement stored its closure in its
	// slot and set its bit in the frame's deferBits.
	EvOpenDefer
	// EvOpenExit: an exit of an open-coded frame found a set bit, cleared
	// it and called the slot's closure inline.
	EvOpenExit
	// EvDeferReturn: deferreturn started on a frame (a normal return of a
	// frame with linked records, or the resume point after a recovery).
	EvDeferReturn
	// EvRunDefer: a deferred call is about to run (from the list, or from
	// open-coded bits during a panic, Goexit or deferreturn).
	EvRunDefer
	// EvFreeDefer: popDefer unlinked a record; a heap record went back
	// to the per-P pool (spilling half to the global pool when full).
	EvFreeDefer
	// EvPanic: gopanic started.
	EvPanic
	// EvRecover: recover was called; Detail says whether it stopped a panic.
	EvRecover
	// EvRecovery: the runtime unwound to the frame whose deferred call
	// recovered, to resume at its deferreturn.
	EvRecovery
	// EvGoexit: runtime.Goexit started.
	EvGoexit
	// EvExit: os.Exit ended the program; no deferred call runs.
	EvExit
	// EvCrash: a panic ran out of deferred calls; the program prints the
	// panics and exits with status 2.
	EvCrash
	// EvNewproc: a go statement created a goroutine (newproc).
	EvNewproc
	// EvGoEnd: a goroutine other than main ended (goexit0), or the main
	// goroutine ended with Goexit while others exist.
	EvGoEnd
	// EvDeferRangeFunc: a range-over-func loop whose body defers started
	// (deferrangefunc): a heap record with its own list heads the
	// frame's defers.
	EvDeferRangeFunc
	// EvDeferProcAt: a defer statement in a range-over-func loop body
	// pushed a heap record on the loop's list (deferprocat).
	EvDeferProcAt
	// EvDeferConvert: the frame's exit (or a panic) reached the loop's
	// record and spliced its list into the defer chain (deferconvert).
	EvDeferConvert
	// EvThrow: the runtime threw a fatal error (throw or fatal, then
	// fatalthrow): no deferred call runs and nothing recovers it; the
	// program prints "fatal error: ..." and exits with status 2. The step
	// is in the frame that was running when a goroutine threw (a panic
	// while the crash report prints a panic value, a sync misuse), and in
	// no frame, with an empty list, when the scheduler threw after the
	// last goroutine stopped (checkdead: "no goroutines", "all goroutines
	// are asleep").
	EvThrow

	evLast = EvThrow
)

var kindNames = [...]string{
	EvCall: "call", EvReturn: "return", EvNewDefer: "newdefer",
	EvDeferProc: "deferproc", EvDeferProcStack: "deferprocStack",
	EvOpenDefer: "open-defer", EvOpenExit: "open-exit",
	EvDeferReturn: "deferreturn", EvRunDefer: "run-defer", EvFreeDefer: "popDefer",
	EvPanic: "gopanic", EvRecover: "recover", EvRecovery: "recovery",
	EvGoexit: "Goexit", EvExit: "os.Exit", EvCrash: "fatalpanic",
	EvNewproc: "newproc", EvGoEnd: "goexit0",
	EvDeferRangeFunc: "deferrangefunc", EvDeferProcAt: "deferprocat", EvDeferConvert: "deferconvert",
	EvThrow: "throw",
}

// String returns the event kind's name, close to the runtime function it models.
func (k EventKind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// MarshalText makes event kinds appear by name in JSON.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads an event kind by name, as MarshalText writes it.
func (k *EventKind) UnmarshalText(b []byte) error {
	for i, name := range kindNames {
		if name != "" && name == string(b) {
			*k = EventKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown event kind %q", b)
}

// PoolState is a snapshot of the record pools and their counters.
type PoolState struct {
	Local   int `json:"local"`   // records in the per-P pool (capacity 32)
	Global  int `json:"global"`  // records in the global sched.deferpool
	Hits    int `json:"hits"`    // newdefer calls served by the per-P pool
	Refills int `json:"refills"` // refills of the per-P pool from the global pool
	Spills  int `json:"spills"`  // transfers of half the per-P pool to the global pool
	Allocs  int `json:"allocs"`  // records allocated with new(_defer)
}

// An Event is one step of the model. Fields that do not apply to a kind
// are zero.
type Event struct {
	Seq   int       `json:"seq"`
	Kind  EventKind `json:"kind"`
	Frame int       `json:"frame,omitempty"` // frame ID (0: none)
	Func  string    `json:"func,omitempty"`  // the frame's function
	Depth int       `json:"depth"`           // the frame's depth (main is 0)
	// G is the ID of the goroutine the step ran on, for goroutines
	// started by go statements; 0 on the main goroutine (ID 1).
	G int `json:"g,omitempty"`
	// Record is the ID of the _defer record concerned (0: none).
	Record int `json:"record,omitempty"`
	// Heap is true for heap records.
	Heap bool `json:"heap,omitempty"`
	// Site is the defer statement concerned, as "file:line:col".
	Site string `json:"site,omitempty"`
	// Slot is the open-coded slot (bit index), or -1.
	Slot int `json:"slot"`
	// BitsBefore and BitsAfter are the frame's deferBits around the step.
	BitsBefore uint8 `json:"bitsBefore"`
	BitsAfter  uint8 `json:"bitsAfter"`
	// Chain lists the record IDs on the defer list after the step, head
	// first. Events share the slice while the list does not change: do
	// not modify it.
	Chain []int `json:"chain"`
	// Pool is the pool state after the step.
	Pool PoolState `json:"pool"`
	// Cost is the modelled cost of the step in nanoseconds.
	Cost float64 `json:"cost"`
	// Detail is a short human sentence (the panic value, the pool path ...).
	Detail string `json:"detail,omitempty"`
}

// Modelled costs in nanoseconds for each step. They are a model
// calibrated on go1.26.8/amd64 measurements (a direct call about 3 ns; an
// open-coded defer 3-4.5 ns; a stack-allocated defer 21-24 ns; a
// heap-allocated defer in a loop about 33 ns; panic plus recover about
// 344 ns), split across the steps that make them up. Read them with
// [Cost]; nothing changes them.
var defaultCost = map[EventKind]float64{
	EvCall:           0,
	EvReturn:         0,
	EvOpenDefer:      1,   // store the closure, OR the bit
	EvOpenExit:       2.5, // test the bit, clear it, call
	EvDeferProcStack: 8,   // fill the frame's record, link it
	EvDeferProc:      8,   // link a heap record
	EvNewDefer:       6,   // per-P pool hit; see CostRefill, CostAlloc
	EvDeferReturn:    4,   // the call to deferreturn and its setup
	EvRunDefer:       6,   // the indirect call of the deferred closure
	EvFreeDefer:      3,   // unlink; for heap records, the pool push
	EvPanic:          120,
	EvRecover:        40,
	EvRecovery:       120,
	EvGoexit:         120,
	EvExit:           0,
	EvCrash:          0,
	EvNewproc:        0,
	EvGoEnd:          0,
	EvDeferRangeFunc: 8, // link the loop's heap record
	EvDeferProcAt:    8, // a compare-and-swap push on the loop's list
	EvDeferConvert:   6, // swap the list out, relink it in place
	EvThrow:          0,
}

// Cost returns the modelled cost in nanoseconds of a step of kind k (see
// the calibration above), or 0 for a kind with none.
func Cost(k EventKind) float64 { return defaultCost[k] }

// Extra modelled costs for the slow paths of newdefer and popDefer.
const (
	CostRefill = 40 // lock sched.deferlock and move 16 records
	CostAlloc  = 20 // new(_defer): a 48-byte allocation
	CostSpill  = 40 // move half the per-P pool to the global pool
)
