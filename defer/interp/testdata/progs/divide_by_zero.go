package main

import "fmt"

func div(a, b int) (q int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("recovered:", r)
			q = -1
		}
	}()
	return a / b
}

func main() {
	fmt.Println(div(7, 2), div(1, 0))
	zero := 0
	fmt.Println(3 % zero)
}
