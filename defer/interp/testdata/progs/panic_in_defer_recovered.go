package main

import "fmt"

func f() {
	defer func() {
		fmt.Println("recovered:", recover())
	}()
	defer func() {
		panic("replacement")
	}()
	panic("original")
}

func main() {
	f()
	fmt.Println("after f")
}
