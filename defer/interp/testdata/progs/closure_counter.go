package main

import "fmt"

func counter() (func() int, func()) {
	n := 0
	return func() int { n++; return n }, func() { fmt.Println("count is", n) }
}

func main() {
	next, show := counter()
	defer show()
	next()
	next()
	defer fmt.Println("value at defer:", next())
}
