// Package inlining checks the closures the inliner puts into their
// caller: escape analysis walks an inlined body without restoring the
// loop depth, so a looping label in it counts as the caller's own.
package inlining

var glob int

// A closure called on the spot is inlined; its looping label raises the
// caller's loop depth for the rest of the body.
func calledOnce() {
	defer println() // want `^stack-allocated defer: the defer at line 20 of calledOnce is not stack-allocated$`
	func() {
		c := 0
	again:
		c++
		if c < 3 {
			goto again
		}
	}()
	defer println() // want `^heap-allocated defer: after a label that a later goto jumps back to, in the closure at line 12, which the inliner puts here`
}

// OK because the label is inside the closure's if body, which restores
// the depth at its end.
func labelInClosureIf() {
	func() {
		if glob > 0 {
			c := 0
		again:
			c++
			if c < 3 {
				goto again
			}
		}
	}()
	defer println() // want `^open-coded defer$`
}

// OK because the caller's if body ends the rise: the defer after it is
// at depth 1 again.
func closureInIf() {
	if glob > 0 {
		func() {
		again:
			glob--
			if glob > 0 {
				goto again
			}
		}()
		defer println() // want `^heap-allocated defer: after a label`
	}
	defer println() // want `^stack-allocated defer: the defer at line 50 of closureInIf is not stack-allocated$`
}

// OK because a closure that defers is never inlined: its label stays in
// the closure.
func closureDefers() {
	func() {
	again:
		glob--
		if glob > 0 {
			goto again
		}
		defer println() // want `^heap-allocated defer: after a label`
	}()
	defer println() // want `^open-coded defer$`
}

// OK because a closure that calls recover is never inlined.
func closureRecovers() {
	func() {
	again:
		glob--
		if glob > 0 {
			goto again
		}
		_ = recover()
	}()
	defer println() // want `^open-coded defer$`
}

// A closure inside an inlined closure is inlined into it, and so into
// the caller.
func nested() {
	func() {
		glob++
		func() {
		again:
			glob--
			if glob > 0 {
				goto again
			}
		}()
	}()
	defer println() // want `^heap-allocated defer: after a label that a later goto jumps back to, in the closure at line 87,`
}

// OK because go and defer calls of a closure are not inlined.
func goAndDefer() {
	go func() {
	again:
		glob--
		if glob > 0 {
			goto again
		}
	}()
	defer println() // want `^open-coded defer$`
}

// The inlined closure's returns are not the caller's: 1 return x 8
// defers stays within 15.
func inlinedReturns() {
	func() {
		if glob > 0 {
			return
		}
		if glob > 1 {
			return
		}
	}()
	defer println() // want `^open-coded defer$`
	defer println() // want `^open-coded defer$`
	defer println() // want `^open-coded defer$`
	defer println() // want `^open-coded defer$`
	defer println() // want `^open-coded defer$`
	defer println() // want `^open-coded defer$`
	defer println() // want `^open-coded defer$`
	defer println() // want `^open-coded defer$`
	if glob > 2 {
		return
	}
}

// spin is small enough to inline (budget 80): its label comes along.
func spin() {
again:
	glob--
	if glob > 0 {
		goto again
	}
}

func callsSpin() {
	spin()
	defer println() // want `^heap-allocated defer: after a label that a later goto jumps back to, in spin, which the inliner puts here`
}

//go:noinline
func work() {}

// spinBig costs about 2 x 59 for its two calls that are not inlined:
// over 80, never inlined.
func spinBig() {
again:
	work()
	work()
	glob--
	if glob > 0 {
		goto again
	}
}

// OK because spinBig is too expensive to inline.
func callsSpinBig() {
	spinBig()
	defer println() // want `^open-coded defer$`
}

//go:noinline
func spinNoinline() {
again:
	glob--
	if glob > 0 {
		goto again
	}
}

// OK because of //go:noinline.
func callsSpinNoinline() {
	spinNoinline()
	defer println() // want `^open-coded defer$`
}

// skip jumps forward only.
func skip() {
	if glob > 0 {
		goto done
	}
	glob++
done:
	glob--
}

// OK because each inlined copy has labels of its own: the second copy's
// goto does not jump back to the first copy's label.
func callsSkipTwice() {
	skip()
	skip()
	defer println() // want `^open-coded defer$`
}

// A closure bound to a variable that is never assigned again is inlined
// where it is called: within 800 when it is called once (this one costs
// about 3 x 59 for its calls of work)...
func boundOnce() {
	spin := func() {
	again:
		work()
		work()
		work()
		glob--
		if glob > 0 {
			goto again
		}
	}
	spin()
	defer println() // want `^heap-allocated defer: after a label that a later goto jumps back to, in the closure at line 206,`
}

// OK because a closure called twice may cost only 2 x 80.
func boundTwiceBig() {
	spin := func() {
	again:
		work()
		work()
		work()
		glob--
		if glob > 0 {
			goto again
		}
	}
	spin()
	spin()
	defer println() // want `^open-coded defer$`
}

// ...and a small one is inlined at both calls.
func boundTwice() {
	spin := func() {
	again:
		glob--
		if glob > 0 {
			goto again
		}
	}
	spin()
	spin()
	defer println() // want `^heap-allocated defer: after a label`
}

// OK because spin is assigned again: the inliner cannot see through it.
func boundReassigned() {
	spin := func() {
	again:
		glob--
		if glob > 0 {
			goto again
		}
	}
	if glob > 5 {
		spin = func() {}
	}
	spin()
	defer println() // want `^open-coded defer$`
}
