package main

import "fmt"

func main() {
	defer fmt.Println("last defer runs")
	defer func() {
		panic("second panic")
	}()
	panic("first panic")
}
