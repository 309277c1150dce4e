package cost

// This file holds only the kernels and what they call. It imports only
// errors and runtime, so the lessons can compile it on its own.

import (
	"errors"
	"runtime"
)

// counter counts deferred calls (and the direct call of Direct).
var counter uint64

// errPanic is the value the panicking kernels panic with: a preallocated
// error, so that panicking does not allocate.
var errPanic = errors.New("cost: kernel panic")

// Count returns how many times the kernels' deferred calls (and Direct's
// call) have run since the program started. Every deferred call of every
// kernel adds exactly one.
func Count() uint64 { return counter }

//go:noinline
func bump() { counter++ }

// lastArg is the argument of the latest record call.
var lastArg int

//go:noinline
func record(n int) {
	lastArg = n
	counter++
}

// Direct calls the same function the deferred kernels defer, without
// defer: the baseline every other kernel is compared with.
//
//go:noinline
func Direct(n int) int {
	bump()
	return n
}

// OpenCoded defers one call; the compiler open-codes it.
//
//go:noinline
func OpenCoded(n int) int {
	defer bump()
	return n
}

// OpenCoded8 defers eight calls, the most a function may open-code
// (walk.maxOpenDefers: deferBits is one byte).
//
//go:noinline
func OpenCoded8(n int) int {
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	return n
}

// Stack9 defers nine calls: one more than a byte of deferBits can track,
// so every defer in it is a stack-allocated record.
//
//go:noinline
func Stack9(n int) int {
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	defer bump()
	return n
}

// OpenCoded15Returns defers one call and has 15 return statements:
// returns x defers = 15 is still open-coded.
//
//go:noinline
func OpenCoded15Returns(n int) int {
	defer bump()
	if n == 1 {
		return 1
	}
	if n == 2 {
		return 2
	}
	if n == 3 {
		return 3
	}
	if n == 4 {
		return 4
	}
	if n == 5 {
		return 5
	}
	if n == 6 {
		return 6
	}
	if n == 7 {
		return 7
	}
	if n == 8 {
		return 8
	}
	if n == 9 {
		return 9
	}
	if n == 10 {
		return 10
	}
	if n == 11 {
		return 11
	}
	if n == 12 {
		return 12
	}
	if n == 13 {
		return 13
	}
	if n == 14 {
		return 14
	}
	return n
}

// Stack16Returns is OpenCoded15Returns with one more return statement:
// returns x defers = 16 > 15, so the compiler gives up open coding (every
// return would carry the deferred calls) and uses a stack-allocated record.
//
//go:noinline
func Stack16Returns(n int) int {
	defer bump()
	if n == 1 {
		return 1
	}
	if n == 2 {
		return 2
	}
	if n == 3 {
		return 3
	}
	if n == 4 {
		return 4
	}
	if n == 5 {
		return 5
	}
	if n == 6 {
		return 6
	}
	if n == 7 {
		return 7
	}
	if n == 8 {
		return 8
	}
	if n == 9 {
		return 9
	}
	if n == 10 {
		return 10
	}
	if n == 11 {
		return 11
	}
	if n == 12 {
		return 12
	}
	if n == 13 {
		return 13
	}
	if n == 14 {
		return 14
	}
	if n == 15 {
		return 15
	}
	return n
}

// HeapLoop defers one call per loop iteration, n times. A defer in a loop
// may run any number of times per call, so it needs a record from the
// per-P pool (runtime.newdefer): heap-allocated.
//
//go:noinline
func HeapLoop(n int) int {
	for i := 0; i < n; i++ {
		defer bump()
	}
	return n
}

// HeapLoopArgs is HeapLoop deferring a call with an argument. The
// compiler turns it into a closure that captures the argument's value;
// for a heap-allocated defer that closure escapes, so each defer also
// allocates the closure.
//
//go:noinline
func HeapLoopArgs(n int) int {
	for i := 0; i < n; i++ {
		defer record(i)
	}
	return n
}

// OpenCodedArgs defers a call with an argument, evaluated at the defer
// statement.
//
//go:noinline
func OpenCodedArgs(n int) int {
	defer record(n)
	return n
}

// OpenCodedClosure defers a closure that makes the same call. Since Go
// 1.17 OpenCodedArgs compiles to this too.
//
//go:noinline
func OpenCodedClosure(n int) int {
	defer func() { record(n) }()
	return n
}

// OpenCodedRecover defers a function that calls recover, and does not
// panic: recover returns nil. Calling recover does not stop open coding.
//
//go:noinline
func OpenCodedRecover(n int) int {
	defer func() {
		recover()
		bump()
	}()
	return n
}

// PanicOpenCoded panics and recovers in its own open-coded frame: the
// runtime finds the deferred call through the frame's deferBits
// (FUNCDATA_OpenCodedDeferInfo). It returns 0, the zero result.
//
//go:noinline
func PanicOpenCoded(n int) int {
	defer func() {
		recover()
		bump()
	}()
	if n >= 0 {
		panic(errPanic)
	}
	return n
}

// PanicStack is PanicOpenCoded in a frame whose defer is a linked,
// stack-allocated record (16 returns x 1 defer > 15). It returns 0.
//
//go:noinline
func PanicStack(n int) int {
	defer func() {
		recover()
		bump()
	}()
	if n >= 0 {
		panic(errPanic)
	}
	if n == -1 {
		return 1
	}
	if n == -2 {
		return 2
	}
	if n == -3 {
		return 3
	}
	if n == -4 {
		return 4
	}
	if n == -5 {
		return 5
	}
	if n == -6 {
		return 6
	}
	if n == -7 {
		return 7
	}
	if n == -8 {
		return 8
	}
	if n == -9 {
		return 9
	}
	if n == -10 {
		return 10
	}
	if n == -11 {
		return 11
	}
	if n == -12 {
		return 12
	}
	if n == -13 {
		return 13
	}
	if n == -14 {
		return 14
	}
	if n == -15 {
		return 15
	}
	return n
}

// GoReturn starts a goroutine whose function defers one call and returns
// normally, and waits for it: the baseline for GoGoexit.
//
//go:noinline
func GoReturn(n int) int {
	done := make(chan struct{})
	go returnBody(done)
	<-done
	return n
}

// GoGoexit starts a goroutine whose function defers one call and ends
// with runtime.Goexit, which runs the deferred call like a panic would
// but cannot be recovered, and waits for it.
//
//go:noinline
func GoGoexit(n int) int {
	done := make(chan struct{})
	go goexitBody(done)
	<-done
	return n
}

func returnBody(done chan struct{}) {
	defer finish(done)
}

func goexitBody(done chan struct{}) {
	defer finish(done)
	runtime.Goexit()
}

//go:noinline
func finish(done chan struct{}) {
	bump()
	close(done)
}
