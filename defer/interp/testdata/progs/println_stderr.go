package main

import "fmt"

func main() {
	defer println("to stderr", 1, true)
	fmt.Println("to stdout")
	print("no newline ")
	println()
}
