package main

import "fmt"

func main() {
	n := 0
	func() {
		i := 0
	again:
		i++
		n += i
		if i < 3 {
			goto again
		}
	}()
	defer fmt.Println("deferred after the closure, n =", n)
	fmt.Println("main returns")
}
