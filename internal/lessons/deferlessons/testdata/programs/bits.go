package main

import "fmt"

// Only the defers whose statements ran have their bit set; the exit
// runs the set bits from the highest down.
func pick(a, b bool) {
	defer fmt.Println("slot 0: always")
	if a {
		defer fmt.Println("slot 1: only if a")
	}
	if b {
		defer fmt.Println("slot 2: only if b")
	}
	fmt.Println("returning with a =", a, "b =", b)
}

func main() {
	pick(false, true)
}
