package main

import "fmt"

func seq(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// early has a defer in a loop, so its defers are linked records, and
// returns before the loop: its exit still calls deferreturn.
func early(n int) int {
	if n > 0 {
		return n
	}
	for i := range 2 {
		defer fmt.Println("early defer", i)
	}
	return 0
}

// body's loop body defers only when i == k; the body's own function
// calls deferreturn at each return either way.
func body(k int) {
	for i := range seq(3) {
		if i == k {
			defer fmt.Println("body defer", i)
		}
	}
	fmt.Println("body done")
}

func main() {
	fmt.Println(early(1))
	fmt.Println(early(0))
	body(1)
	body(5)
}
