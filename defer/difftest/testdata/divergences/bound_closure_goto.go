// A closure bound to a variable that is never assigned again is inlined
// at its calls (the inliner sees through the variable): its backward
// goto makes the defer after the calls heap-allocated, and the earlier
// defer stack-allocated.
package main

import "fmt"

func f1(a int) {
	defer fmt.Println("first", a)
	spin := func() {
		c := 0
	L:
		c++
		a += c
		if c < 2 {
			goto L
		}
	}
	spin()
	spin()
	defer fmt.Println("after", a)
}

func main() {
	f1(6)
}
