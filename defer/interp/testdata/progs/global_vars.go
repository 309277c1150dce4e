package main

import "fmt"

var (
	count = start * 2
	start = 5
)

const greeting = "hi"

func main() {
	defer func() { fmt.Println(greeting, count) }()
	count++
}
