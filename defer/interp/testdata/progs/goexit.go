package main

import (
	"fmt"
	"runtime"
)

func main() {
	defer fmt.Println("deferred runs during Goexit")
	defer func() {
		fmt.Println("recover during Goexit:", recover())
	}()
	runtime.Goexit()
	fmt.Println("not reached")
}
