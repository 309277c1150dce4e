package main

import "fmt"

func inner() {
	defer fmt.Println("inner deferred")
	panic("no one recovers")
}

func main() {
	defer fmt.Println("main deferred")
	inner()
	fmt.Println("not reached")
}
