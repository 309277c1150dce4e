// A small function of the package (cost under 80) is inlined with its
// backward goto: the defer after the call is heap-allocated.
package main

import "fmt"

func spin(a int) int {
	c := 0
L:
	c++
	a += c
	if c < 3 {
		goto L
	}
	return a
}

func f1(a int) (r int) {
	r = spin(a)
	defer fmt.Println("after", r)
	if r > 100 {
		defer fmt.Println("big")
	}
	return r + 1
}

func main() {
	fmt.Println(f1(2))
}
