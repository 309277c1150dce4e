package main

import "fmt"

func main() {
	x := 1
	defer fmt.Println("deferred call sees x =", x)
	x = 2
	fmt.Println("main sees x =", x)
}
