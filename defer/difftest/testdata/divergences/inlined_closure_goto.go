// A closure called on the spot is inlined; escape analysis walks its
// body in the caller without restoring the loop depth, so its backward
// goto makes the caller's later defer heap-allocated and the earlier one
// stack-allocated. With -gcflags=-l both would be open-coded.
package main

import "fmt"

func f1(a int) {
	defer fmt.Println("first", a)
	func() {
		c := 0
	L:
		c++
		if c < 3 {
			goto L
		}
		a += c
	}()
	defer fmt.Println("x", a)
}

func main() {
	f1(1)
}
