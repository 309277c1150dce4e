package main

import "fmt"

func main() {
	defer fmt.Println("open? no: a loop defer makes this stack-allocated")
	total := 0
	for i := 0; i < 100; i++ {
		defer func() { total += i }()
	}
	defer func() { fmt.Println("total seen at first run:", total) }()
}
