// From seed 5009: a closure deferred with a heap record (after a
// backward goto, in a closure called on the spot that is not inlined
// because it defers) captures the named result r; the closure escapes,
// r moves to the heap, and f3 loses open coding: its defers are
// stack-allocated. -gcflags=-l changes nothing here.
package main

import "fmt"

func f3(a int) (r int) {
	defer fmt.Println("f3 first", a)
	x := a
	func() {
		c := 0
	L:
		c++
		x += c
		if c < 2 {
			goto L
		}
		defer func(v int) { fmt.Println("deferred", v, r) }(x)
	}()
	r = x * 2
	defer fmt.Println("f3 last", r)
	return r
}

func main() {
	fmt.Println(f3(5))
}
