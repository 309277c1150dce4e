package main

import "fmt"

func main() {
	x := 1
	defer fmt.Println("deferred sees", x)
	x = 2
	defer func(v int) { fmt.Println("param", v, "var", x) }(x)
	x = 3
	fmt.Println("x is", x)
}
