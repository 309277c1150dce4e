package main

import "fmt"

func down(n int) {
	defer fmt.Println("up", n)
	if n == 0 {
		panic("bottom")
	}
	down(n - 1)
}

func main() {
	defer func() {
		fmt.Println("recovered", recover())
	}()
	down(3)
}
