package main

import "fmt"

func show() {
	for i := 0; i < 3; i++ {
		defer func() { fmt.Println("i =", i) }()
	}
}

func main() {
	show()
	for i := range 2 {
		defer fmt.Println("range", i)
	}
}
