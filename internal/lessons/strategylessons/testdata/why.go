package main

var n = 3

// 1. A defer in a loop needs one record per iteration: heap.
func inLoop() {
	for i := 0; i < n; i++ {
		defer println("loop", i)
	}
}

// 2. ...and it turns the function's other defers into stack records.
func besideLoop() {
	defer println("stack")
	for i := 0; i < n; i++ {
		defer println("loop", i)
	}
}

// 3. The fix: one function call per iteration, one open-coded defer each.
func fixed() {
	for i := 0; i < n; i++ {
		step(i)
	}
}

func step(i int) {
	defer println("step", i)
}

// 4. A label that a later goto jumps back to is a loop too.
func retry() {
again:
	defer println("retry")
	if n--; n > 0 {
		goto again
	}
}

// 5. Every return repeats the deferred calls: returns x defers > 15 is too much.
func manyReturns(x int) {
	defer println("a")
	defer println("b")
	defer println("c")
	defer println("d")
	switch x {
	case 1:
		return
	case 2:
		return
	case 3:
		return
	case 4:
		return
	}
}

// 6. A result whose address escapes lives on the heap.
var keep *error

func heapResult() (err error) {
	defer println("result")
	keep = &err
	return nil
}

// 7. A small function is inlined, and the label it jumps back to comes
// with it: the caller's defer after the call is a heap record.
func countdown() {
again:
	if n--; n > 0 {
		goto again
	}
}

func afterInlined() {
	countdown()
	defer println("after")
}

func main() {
	inLoop()
	besideLoop()
	fixed()
	retry()
	manyReturns(0)
	heapResult()
	afterInlined()
}
