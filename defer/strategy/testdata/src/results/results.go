// Package results checks the result-parameter rule: a result moved to
// the heap must be copied back after the deferred calls run, so the
// function does not open-code.
package results

import "fmt"

var sink *error

func addrEscapes() (err error) {
	defer println() // want `^stack-allocated defer: the address of result err leaves the function`
	sink = &err
	return nil
}

func scanned(s string) (n int, err error) {
	defer println() // want `^stack-allocated defer: the address of result n leaves the function`
	_, err = fmt.Sscan(s, &n)
	return
}

func catch(errp *error) {
	if r := recover(); r != nil {
		*errp = fmt.Errorf("recovered: %v", r)
	}
}

// OK because catch does not keep the pointer.
func caught() (err error) {
	defer catch(&err) // want `^open-coded defer$`
	panic("x")
}

// OK because the deferred closure does not outlive the call.
func named() (err error) {
	defer func() { // want `^open-coded defer$`
		if err != nil {
			err = fmt.Errorf("wrapped: %w", err)
		}
	}()
	return nil
}

func goroutine() (err error) {
	done := make(chan bool)
	defer close(done) // want `^stack-allocated defer: result err is captured by reference by a closure`
	go func() {
		err = nil
		done <- true
	}()
	<-done
	return err
}

// OK because a closure called on the spot does not escape.
func helper() (n int) {
	defer println() // want `^open-coded defer$`
	add := func() { n++ }
	add()
	return n
}

// A closure deferred with a heap record escapes: the result it captures
// moves to the heap, and the function loses open coding. Here the heap
// defer is in a closure called on the spot (a closure that defers is
// not inlined), after its looping label.
func heapDeferred() (r int) {
	defer println() // want `^stack-allocated defer: result r is captured by reference by a closure at line 76 that may outlive the call$`
	func() {
		c := 0
	again:
		c++
		if c < 3 {
			goto again
		}
		defer func(v int) { println(v, r) }(c) // want `^heap-allocated defer: after a label`
	}()
	r = 1
	return r
}

// OK because the closure is deferred with a stack record: it does not
// escape.
func stackDeferred() (r int) {
	defer println() // want `^open-coded defer$`
	func() {
		defer func() { println(r) }() // want `^open-coded defer$`
	}()
	r = 1
	return r
}

// The arguments of a heap defer escape too: &r leaves the function.
func heapDeferArg(xs []int) (r int) {
	defer println() // want `^stack-allocated defer: the defer at line 97 of heapDeferArg is not stack-allocated; the address of result r leaves the function at line 97$`
	for range xs {
		defer println(&r) // want `^heap-allocated defer: in a loop`
	}
	return r
}

// A bare return after the first closure that refers to r assigns r (every
// return assigns all results), so the heap-deferred closure captures r by
// reference and r moves to the heap.
func nakedReturnAfterCapture(a int) (r int) {
	defer println() // want `^stack-allocated defer: result r is captured by reference by a closure at line 112 that may outlive the call$`
	if a == 2 {
		return
	}
	func() {
		for i := range 3 {
			defer func() { println(i, r) }() // want `^heap-allocated defer: in a loop`
		}
	}()
	return
}

// OK because the only return comes before the first closure that refers
// to r: the compiler forgets the assignments before the first capture, so
// r is captured by value and stays on the stack.
func nakedReturnBeforeCapture(a int) (r int) {
	defer println() // want `^open-coded defer$`
	if a == 2 {
		return
	}
	func() {
		for i := range 3 {
			defer func() { println(i, r) }() // want `^heap-allocated defer: in a loop`
		}
	}()
	panic("done")
}

func seq(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// A range-over-func loop in a literal that cannot be inlined (it
// defers), inside a literal that is: the body captures r by reference
// and escapes, so r moves to the heap (measured with -m on go1.26).
func rangeBodyInNestedLiteral() (r int) {
	defer println() // want `^stack-allocated defer: result r is captured by reference by a closure at line 150 that may outlive the call$`
	func() {
		func() {
			defer println("in") // want `^open-coded defer$`
			for q := range seq(2) {
				r += q
			}
		}()
	}()
	return 5
}

// OK because the literal that holds the loop is the outermost one: the
// loop body keeps its non-escaping mark.
func rangeBodyInLiteral() (r int) {
	defer println() // want `^open-coded defer$`
	func() {
		defer println("in") // want `^open-coded defer$`
		for q := range seq(2) {
			r += q
		}
	}()
	return 5
}
