package main

import (
	"fmt"
	"runtime"
)

func g() {
	defer func() {
		fmt.Println("g recovers:", recover())
	}()
	defer func() {
		panic("in goexit defer")
	}()
	runtime.Goexit()
}

func main() {
	defer fmt.Println("main deferred")
	g()
	fmt.Println("after g: not reached")
}
