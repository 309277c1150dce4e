package main

import (
	"fmt"
	"runtime"
)

func f() {
	defer fmt.Println("f: last defer")
	defer func() {
		panic("panic during Goexit")
	}()
	runtime.Goexit()
}

func main() {
	defer fmt.Println("main: deferred")
	defer func() {
		fmt.Println("main recovered:", recover())
	}()
	f()
	fmt.Println("not reached")
}
