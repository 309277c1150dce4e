package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer fmt.Println("Goexit runs the deferred calls")
		runtime.Goexit()
		fmt.Println("not reached")
	}()
	wg.Wait()
	fmt.Println("Wait returned")
}
