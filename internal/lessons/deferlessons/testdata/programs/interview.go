package main

import "fmt"

// count's deferred closure changes the named result after return 1.
func count() (n int) {
	defer func() { n *= 10 }()
	n = 1
	return n + 1
}

func main() {
	x := 1
	defer fmt.Println("argument evaluated at the defer:", x)
	defer func() { fmt.Println("closure sees the later x:", x) }()
	x = 2
	for i := range 3 {
		defer fmt.Println("loop defer", i)
	}
	fmt.Println("count() =", count())
}
