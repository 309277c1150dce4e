package main

import (
	"fmt"
	"runtime"
)

// main's Goexit runs main's deferred calls and ends main's goroutine
// only: the other goroutine, let go by the last deferred call, still
// runs. It then blocks, and with no goroutine left to wake it the
// runtime stops with "no goroutines (main called runtime.Goexit)".
func main() {
	ready := make(chan int)
	never := make(chan int)
	go func() {
		<-ready
		fmt.Println("goroutine runs after main's Goexit")
		<-never
	}()
	defer close(ready)
	defer fmt.Println("main's deferred call")
	runtime.Goexit()
}
