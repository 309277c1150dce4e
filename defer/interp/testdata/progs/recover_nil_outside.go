package main

import "fmt"

func main() {
	fmt.Println("recover outside a panic:", recover())
	defer func() {
		fmt.Println("no panic:", recover())
	}()
}
