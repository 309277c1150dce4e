package main

import "fmt"

func main() {
	for i := range 3 {
		fmt.Println("loop", i)
	}
	defer fmt.Println("first deferred, runs last")
	defer fmt.Println("second deferred")
	defer fmt.Println("third deferred, runs first")
	fmt.Println("body done")
}
