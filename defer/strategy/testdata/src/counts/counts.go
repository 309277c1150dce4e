// Package counts checks the function-wide limits: 8 defers, and
// returns x defers <= 15.
package counts

var glob int

func eight() {
	defer println(1) // want `^open-coded defer$`
	defer println(2) // want `^open-coded defer$`
	defer println(3) // want `^open-coded defer$`
	defer println(4) // want `^open-coded defer$`
	defer println(5) // want `^open-coded defer$`
	defer println(6) // want `^open-coded defer$`
	defer println(7) // want `^open-coded defer$`
	defer println(8) // want `^open-coded defer$`
}

func nine() {
	defer println(1) // want `^stack-allocated defer: 9 defers in nine > 8$`
	defer println(2) // want `^stack-allocated defer: 9 defers`
	defer println(3) // want `^stack-allocated defer: 9 defers`
	defer println(4) // want `^stack-allocated defer: 9 defers`
	defer println(5) // want `^stack-allocated defer: 9 defers`
	defer println(6) // want `^stack-allocated defer: 9 defers`
	defer println(7) // want `^stack-allocated defer: 9 defers`
	defer println(8) // want `^stack-allocated defer: 9 defers`
	defer println(9) // want `^stack-allocated defer: 9 defers`
}

// Falling off the end is not a return statement: 15 explicit returns
// with one defer is 15, not more.
func fifteen(x int) {
	defer println() // want `^open-coded defer$`
	switch x {
	case 1:
		return
	case 2:
		return
	case 3:
		return
	case 4:
		return
	case 5:
		return
	case 6:
		return
	case 7:
		return
	case 8:
		return
	case 9:
		return
	case 10:
		return
	case 11:
		return
	case 12:
		return
	case 13:
		return
	case 14:
		return
	}
	return
}

func sixteen(x int) {
	defer println() // want `^stack-allocated defer: 16 returns x 1 defers = 16 > 15$`
	switch x {
	case 1:
		return
	case 2:
		return
	case 3:
		return
	case 4:
		return
	case 5:
		return
	case 6:
		return
	case 7:
		return
	case 8:
		return
	case 9:
		return
	case 10:
		return
	case 11:
		return
	case 12:
		return
	case 13:
		return
	case 14:
		return
	case 15:
		return
	}
	return
}

// Returns inside a closure belong to the closure.
func closureReturns() {
	defer println(1) // want `^open-coded defer$`
	defer println(2) // want `^open-coded defer$`
	defer println(3) // want `^open-coded defer$`
	defer println(4) // want `^open-coded defer$`
	f := func(x int) int {
		switch x {
		case 1:
			return 1
		case 2:
			return 2
		case 3:
			return 3
		case 4:
			return 4
		}
		return 0
	}
	f(glob)
}

// Two returns (one per if) times 8 defers is 16.
func eightTwice() {
	defer println(1) // want `^stack-allocated defer: 2 returns x 8 defers = 16 > 15$`
	defer println(2) // want `= 16 > 15`
	defer println(3) // want `= 16 > 15`
	defer println(4) // want `= 16 > 15`
	defer println(5) // want `= 16 > 15`
	defer println(6) // want `= 16 > 15`
	defer println(7) // want `= 16 > 15`
	defer println(8) // want `= 16 > 15`
	if glob > 1 {
		return
	}
	if glob > 2 {
		return
	}
}
