package main

import "fmt"

func main() {
	defer func() {
		fmt.Println("first:", recover())
		fmt.Println("second:", recover())
	}()
	panic("once")
}
