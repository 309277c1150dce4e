package main

import "fmt"

func main() {
	defer func() {
		defer func() {
			fmt.Println("nested deferred recover:", recover())
		}()
	}()
	panic("x")
}
