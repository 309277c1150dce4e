// Package cost holds the kernels whose cost deferio measures: small
// functions that each make the Go compiler pick one way of implementing
// defer, plus a direct call to compare them with.
//
// Go 1.26 implements a defer statement in one of three ways, chosen per
// function by the compiler (cmd/compile/internal/ssagen/ssa.go, the
// ODEFER case; print the choice with -gcflags=-d=defer):
//
//   - open-coded: the deferred call is stored in a slot of the frame and a
//     bit is set in a deferBits byte; every return runs the set bits
//     inline. No runtime call, no record.
//   - stack-allocated: a runtime._defer record built in the frame is
//     linked onto the goroutine's defer chain (runtime.deferprocStack) and
//     run by runtime.deferreturn.
//   - heap-allocated: the record comes from a per-P pool or the heap
//     (runtime.deferproc, runtime.newdefer), for a defer that may run more
//     than once per call, such as one in a loop.
//
// Each kernel's name says which strategy it must get, and [Kernels]
// describes them. The package test compiles this package with the real
// compiler's -d=defer and fails when a kernel gets another strategy, so a
// benchmark of a kernel measures what its name claims. [Decisions]
// compiles any package that way.
//
// Every deferred call in a kernel increments one counter, so a kernel's
// work is the same whichever strategy runs it; [Count] reads the counter.
package cost
