// Package chain is a model of the Go 1.26 runtime's defer machinery for
// one goroutine: the _defer list, the per-P and global record pools, the
// frames with their open-coded deferBits and closure slots, deferreturn,
// gopanic with its nextDefer/nextFrame walk, recover, Goexit and os.Exit.
//
// The model follows runtime/panic.go and cmd/compile/internal/ssagen/ssa.go
// (openDeferRecord, openDeferExit) step by step, and every step emits an
// [Event] so that tools can draw or count what happened. It is driven by a
// caller that plays the compiled program (package defer/interp does it for
// Go source): the caller enters frames with [G.Call], executes defer
// statements with [G.DeferProc], [G.DeferProcStack] or [G.OpenDefer], and
// raises panics with [G.Panic]; the model calls the deferred functions
// back at the moments the runtime would.
//
// Invariants, which the tests check:
//
//   - The defer list is LIFO: a record is pushed at the head and only the
//     head is ever popped.
//   - A record belongs to the frame that deferred it and is run only when
//     that frame returns (deferreturn), or by a panic or Goexit that is
//     walking that frame.
//   - An open-coded frame keeps nothing on the list: its pending calls are
//     the set bits of its deferBits byte, run from the highest bit down,
//     each bit cleared before its call.
//   - A panic walks frames from the innermost out; in each frame it runs
//     pending open-coded bits first, then the linked records of that frame.
//   - recover stops a panic only when called by a function that the
//     panic's own loop invoked; the frame whose deferred call recovered
//     then runs its remaining defers and returns normally.
//   - os.Exit runs no deferred call.
//
// Like the runtime, the model unwinds the (caller's) Go stack when a panic
// is recovered or the program ends: [G.Panic], [G.Goexit] and [G.Exit]
// do not return normally. They unwind with a Go panic of an unexported
// type that [G.Call] and [G.Run] catch; callers must let such panics pass
// (a deferred recover in the caller's own code must re-panic what it does
// not own).
//
// Costs: every event carries a modelled cost in nanoseconds (see [Cost]).
// It is a model calibrated on measurements of go1.26.8 on amd64, not a
// measurement: use it to compare strategies, not to predict a machine.
package chain
