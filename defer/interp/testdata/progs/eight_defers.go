package main

import "fmt"

func eight() {
	defer fmt.Println(1)
	defer fmt.Println(2)
	defer fmt.Println(3)
	defer fmt.Println(4)
	defer fmt.Println(5)
	defer fmt.Println(6)
	defer fmt.Println(7)
	defer fmt.Println(8)
}

func nine() {
	defer fmt.Println("a")
	defer fmt.Println("b")
	defer fmt.Println("c")
	defer fmt.Println("d")
	defer fmt.Println("e")
	defer fmt.Println("f")
	defer fmt.Println("g")
	defer fmt.Println("h")
	defer fmt.Println("i")
}

func main() {
	eight()
	nine()
}
