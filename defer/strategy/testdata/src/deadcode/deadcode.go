// Package deadcode checks the code the compiler's front end drops before
// it compiles anything (noder/writer.go): no strategy is chosen there,
// and dropped returns are not counted.
package deadcode

const debug = false

var glob int

func afterReturn() {
	defer println(1) // want `^open-coded defer$`
	return
	defer println(2) // want `^defer in dead code`
}

func afterPanic() {
	defer println(1) // want `^open-coded defer$`
	panic("x")
	defer println(2) // want `^defer in dead code`
}

func constFalse() {
	if debug {
		defer println(1) // want `^defer in dead code`
	}
	for false {
		defer println(2) // want `^defer in dead code`
	}
	defer println(3) // want `^open-coded defer$`
}

// The loop under a constant false condition is dropped, so the other
// defer stays open-coded.
func deadLoop(xs []int) {
	if debug {
		for range xs {
			defer println() // want `^defer in dead code`
		}
	}
	defer println() // want `^open-coded defer$`
}

const mode = "b"

// Only the matching case of a constant switch is compiled.
func constSwitch() {
	switch mode {
	case "a":
		defer println("a") // want `^defer in dead code`
	case "b":
		defer println("b") // want `^open-coded defer$`
	default:
		defer println("c") // want `^defer in dead code`
	}
}

// Returns in dead code are not counted: 4 live returns x 4 defers = 16
// would be too many, but the dropped branches leave 2.
func deadReturns(x int) {
	defer println(1) // want `^open-coded defer$`
	defer println(2) // want `^open-coded defer$`
	defer println(3) // want `^open-coded defer$`
	defer println(4) // want `^open-coded defer$`
	if debug {
		return
	}
	if debug && x > 0 {
		return
	}
	if x > 1 {
		return
	}
	if x > 2 {
		return
	}
}

// Code after a label is kept even after a return.
func afterLabel() {
	defer println(1) // want `^open-coded defer$`
	if glob > 0 {
		goto end
	}
	return
end:
	defer println(2) // want `^open-coded defer$`
}
