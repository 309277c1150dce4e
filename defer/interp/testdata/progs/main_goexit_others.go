package main

import (
	"fmt"
	"runtime"
)

func main() {
	c := make(chan int)
	go func() {
		fmt.Println("goroutine runs after main's Goexit")
		<-c
	}()
	defer fmt.Println("main's deferred call")
	runtime.Goexit()
}
