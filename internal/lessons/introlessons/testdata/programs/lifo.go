package main

import "fmt"

func main() {
	for _, word := range []string{"first", "second", "third"} {
		defer fmt.Println("deferred:", word)
	}
	fmt.Println("main returns")
}
