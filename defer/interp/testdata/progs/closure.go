package main

import "fmt"

func main() {
	x := "before"
	defer func() { fmt.Println("closure sees", x) }()
	x = "after"
}
