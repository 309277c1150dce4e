package main

import "fmt"

func main() {
	var p *int
	defer fmt.Println("deferred")
	fmt.Println(*p)
}
