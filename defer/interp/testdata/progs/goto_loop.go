package main

import "fmt"

func main() {
	i := 0
again:
	defer fmt.Println("goto defer", i)
	i++
	if i < 3 {
		goto again
	}
	fmt.Println("done")
}
