package main

import "fmt"

func f() {
	var g func()
	defer g()
	fmt.Println("the defer statement itself does not fail")
}

func main() {
	defer func() {
		fmt.Println("recovered:", recover())
	}()
	f()
}
