// Package errcheck holds the cases of Go's own test/defererrcheck.go
// (an errorcheck file run with -0 -l -d=defer), rewritten as
// deferstrategy expectations.
package errcheck

import "fmt"

var glob = 3

func f1() {
	for i := 0; i < 10; i++ {
		fmt.Println("loop")
	}
	defer func() { // want `^open-coded defer$`
		fmt.Println("defer")
	}()
}

func f2() {
	for {
		defer func() { // want `^heap-allocated defer: in a loop \(loop depth 2\)`
			fmt.Println("defer1")
		}()
		if glob > 2 {
			break
		}
	}
	defer func() { // want `^stack-allocated defer: the defer at line 21 of f2 is not stack-allocated$`
		fmt.Println("defer2")
	}()
}

func f3() {
	defer func() { // want `^stack-allocated defer: the defer at line 38 of f3 is not stack-allocated$`
		fmt.Println("defer2")
	}()
	for {
		defer func() { // want `^heap-allocated defer: in a loop`
			fmt.Println("defer1")
		}()
		if glob > 2 {
			break
		}
	}
}

func f4() {
	defer func() { // want `^open-coded defer$`
		fmt.Println("defer")
	}()
label:
	fmt.Println("goto loop")
	if glob > 2 {
		goto label
	}
}

func f5() {
label:
	fmt.Println("goto loop")
	defer func() { // want `^heap-allocated defer: after a label that a later goto jumps back to`
		fmt.Println("defer")
	}()
	if glob > 2 {
		goto label
	}
}

func f6() {
label:
	fmt.Println("goto loop")
	if glob > 2 {
		goto label
	}
	// The compiler's analysis does not end a backward goto loop, so this
	// defer is considered to be inside a loop.
	defer func() { // want `^heap-allocated defer: after a label`
		fmt.Println("defer")
	}()
}

// f7 has too many exits for ... no: 3 returns x 4 defers = 12 <= 15.
func f7() {
	defer println(1) // want `^open-coded defer$`
	defer println(1) // want `^open-coded defer$`
	defer println(1) // want `^open-coded defer$`
	defer println(1) // want `^open-coded defer$`

	switch glob {
	case 1:
		return
	case 2:
		return
	case 3:
		return
	}
}

func f8() {
	defer println(1) // want `^stack-allocated defer: 4 returns x 4 defers = 16 > 15$`
	defer println(1) // want `^stack-allocated defer: 4 returns x 4 defers = 16 > 15$`
	defer println(1) // want `^stack-allocated defer: 4 returns x 4 defers = 16 > 15$`
	defer println(1) // want `^stack-allocated defer: 4 returns x 4 defers = 16 > 15$`

	switch glob {
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

// f9: a panic is not a return.
func f9() {
	defer println(1) // want `^open-coded defer$`
	defer println(1) // want `^open-coded defer$`
	defer println(1) // want `^open-coded defer$`
	defer println(1) // want `^open-coded defer$`

	switch glob {
	case 1:
		return
	case 2:
		return
	case 3:
		return
	case 4:
		panic("")
	}
}
