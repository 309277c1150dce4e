package main

import "fmt"

func main() {
	x := 1
	defer func() { fmt.Println("deferred closure sees x =", x) }()
	x = 2
	fmt.Println("main sees x =", x)
}
