package main

import "fmt"

// From seed 4213: f3's bare return after the closure assigns r, so the
// closure deferred in a loop (a heap record) captures r by reference, r
// moves to the heap and f3 loses open coding.
func f3(a int) (r int) {
	x := a + 0
	defer fmt.Println("f3.1")
	defer fmt.Println("f3.3")
	if a == 2 {
		return
	}
	func() {
		fmt.Println("f3.4", x, r)
		for i1 := range 3 {
			defer func() {
				fmt.Println("f3.5", x, i1, r)
			}()
		}
	}()
	return
}

func main() {
	fmt.Println("main", f3(1))
	fmt.Println("main", f3(2))
}
