package main

import "fmt"

// open: few defers, no loop: open-coded.
func open() {
	defer fmt.Println("open: 1")
	defer fmt.Println("open: 2")
}

// stack: a loop defer makes the whole function give up open coding;
// the defer outside the loop gets a record in the frame.
func stack(n int) {
	defer fmt.Println("stack: outside the loop")
	for i := range n {
		defer fmt.Println("heap: in the loop", i)
	}
}

// tooMany: 3 returns x 6 defers = 18 > 15: no open coding.
func tooMany(n int) int {
	defer fmt.Println("many: a")
	defer fmt.Println("many: b")
	defer fmt.Println("many: c")
	defer fmt.Println("many: d")
	defer fmt.Println("many: e")
	defer fmt.Println("many: f")
	if n == 0 {
		return 0
	}
	if n < 0 {
		return -1
	}
	return 1
}

func main() {
	open()
	stack(2)
	tooMany(1)
}
