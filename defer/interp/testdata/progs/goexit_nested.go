package main

import (
	"fmt"
	"runtime"
)

func worker() {
	defer fmt.Println("worker deferred")
	runtime.Goexit()
}

func main() {
	defer fmt.Println("main deferred")
	worker()
	fmt.Println("not reached")
}
