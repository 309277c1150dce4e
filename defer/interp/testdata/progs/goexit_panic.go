package main

import (
	"fmt"
	"runtime"
)

func main() {
	defer fmt.Println("outer deferred")
	defer func() {
		panic("panic during Goexit")
	}()
	runtime.Goexit()
}
