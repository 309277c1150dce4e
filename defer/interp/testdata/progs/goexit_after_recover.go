package main

import (
	"fmt"
	"runtime"
)

func main() {
	defer fmt.Println("main deferred")
	defer func() {
		fmt.Println("recovered", recover())
		runtime.Goexit()
	}()
	panic("p")
}
