// A closure inside an inlined closure is inlined into it, and so into
// the caller; a goto inside an if body of the closure ends with that
// body and changes nothing.
package main

import "fmt"

func f1(a int) {
	func() {
		if a > 0 {
			c := 0
		L1:
			c++
			if c < 2 {
				goto L1
			}
		}
	}()
	defer fmt.Println("at depth 1, stack-allocated", a)
	func() {
		a++
		func() {
			c := 0
		L2:
			c++
			if c < 2 {
				goto L2
			}
		}()
	}()
	defer fmt.Println("heap", a)
}

func main() {
	f1(3)
}
