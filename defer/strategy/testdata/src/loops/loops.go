// Package loops checks where escape analysis's loop depth rises and
// where it comes back.
package loops

var glob int

func rangeLoop(xs []int) {
	for range xs {
		defer println() // want `^heap-allocated defer: in a loop \(loop depth 2\)`
	}
}

func nested(xs []int) {
	for range xs {
		for range xs {
			defer println() // want `in a loop \(loop depth 3\)`
		}
	}
}

// The depth comes back after the loop: only the loop's defer is heap.
func afterLoop(xs []int) {
	for range xs {
		defer println() // want `^heap-allocated defer: in a loop`
	}
	defer println() // want `^stack-allocated defer: the defer at line 24 of afterLoop is not stack-allocated$`
}

// OK because a forward goto is not a loop.
func forwardGoto() {
	if glob > 0 {
		goto done
	}
	println()
done:
	defer println() // want `^open-coded defer$`
}

// OK because continue and break with a label are not gotos.
func labeledContinue(xs []int) {
outer:
	for range xs {
		if glob > 0 {
			continue outer
		}
		break outer
	}
	defer println() // want `^open-coded defer$`
}

// A looping label's rise lasts to the end of the enclosing if body...
func labelInIf() {
	if glob > 0 {
	again:
		glob--
		if glob > 5 {
			goto again
		}
		defer println() // want `^heap-allocated defer: after a label`
	}
	defer println() // want `^stack-allocated defer: the defer at line 59 of labelInIf is not stack-allocated$`
}

// ... but not to the end of a bare block.
func labelInBlock() {
	{
	again:
		glob--
		if glob > 5 {
			goto again
		}
	}
	defer println() // want `^heap-allocated defer: after a label`
}

func switchCase() {
	switch glob {
	case 1:
	again:
		glob--
		if glob > 5 {
			goto again
		}
		defer println() // want `^heap-allocated defer: after a label`
	}
	defer println() // want `^stack-allocated defer`
}

func selectLoop(c chan int) {
	for {
		select {
		case <-c:
			defer println() // want `^heap-allocated defer: in a loop`
			return
		}
	}
}
