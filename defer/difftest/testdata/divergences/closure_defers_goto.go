// A closure that defers is never inlined: its backward goto stays in it,
// where it makes its own defer heap-allocated, and the caller keeps open
// coding. (A guard: the model agreed here before it modelled inlining.)
package main

import "fmt"

func f1(a int) {
	func() {
		c := 0
	L:
		c++
		if c < 2 {
			goto L
		}
		defer fmt.Println("closure", c)
	}()
	defer fmt.Println("caller", a)
}

func main() {
	f1(4)
}
