// Package rangefunc checks defers and returns in range-over-func loops:
// the loop body is a closure (cmd/compile/internal/rangefunc), a defer in
// it is attached to the enclosing function with runtime.deferprocat.
package rangefunc

import "iter"

func seq(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

func deferInBody() {
	defer println("outer") // want `^stack-allocated defer: .*deferInBody has a range-over-func loop whose body defers`
	for i := range seq(3) {
		defer println(i) // want `^heap-allocated defer: in the body of a range-over-func loop`
	}
}

// OK because the body does not defer.
func noDeferInBody() {
	defer println("outer") // want `^open-coded defer$`
	for i := range seq(3) {
		println(i)
	}
}

// A body that returns adds one return check after the loop: 15 returns
// plus that one, times one defer, is 16 > 15.
func returnInBody(x int) int {
	defer println() // want `^stack-allocated defer: 16 returns x 1 defers = 16 > 15$`
	for i := range seq(3) {
		if i == x {
			return i
		}
		if i > x {
			return -i
		}
	}
	switch x {
	case 1:
		return 1
	case 2:
		return 2
	case 3:
		return 3
	case 4:
		return 4
	case 5:
		return 5
	case 6:
		return 6
	case 7:
		return 7
	case 8:
		return 8
	case 9:
		return 9
	case 10:
		return 10
	case 11:
		return 11
	case 12:
		return 12
	case 13:
		return 13
	case 14:
		return 14
	}
	return 0
}

// A closure inside the body is a function of its own.
func closureInBody() {
	for i := range seq(3) {
		func() {
			defer println(i) // want `^open-coded defer$`
		}()
	}
}

// Looping labels inside and outside a loop body: the body counts its
// own, and the function's are intact after it.
func labelsAroundBody() {
	b, c := 0, 0
K:
	b++
	if b < 2 {
		goto K
	}
L:
	c++
	for q := range seq(2) {
		d := 0
	M:
		d++
		defer println(q, d) // want `^heap-allocated defer: in the body of a range-over-func loop`
		if d < 2 {
			goto M
		}
	}
	defer println(c) // want `^heap-allocated defer: after a label that a later goto jumps back to`
	if c < 2 {
		goto L
	}
}
