package main

import (
	"fmt"
	"runtime"
)

func cleanup(what string) { fmt.Println("cleanup:", what) }

func main() {
	defer cleanup("runs during Goexit")
	defer func() {
		fmt.Println("recover during Goexit returns", recover())
	}()
	runtime.Goexit()
}
