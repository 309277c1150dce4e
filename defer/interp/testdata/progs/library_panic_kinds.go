package main

import (
	"fmt"
	"runtime"
	"sync"
)

func try(name string, f func()) {
	defer func() {
		r := recover()
		_, isRT := r.(runtime.Error)
		_, isErr := r.(error)
		_, isStr := r.(string)
		fmt.Printf("%s: %v runtime.Error=%v error=%v string=%v\n", name, r, isRT, isErr, isStr)
	}()
	f()
}

func main() {
	try("closed send", func() { c := make(chan int, 1); close(c); c <- 1 })
	try("close nil", func() { var c chan int; close(c) })
	try("close twice", func() { c := make(chan int); close(c); close(c) })
	try("negative wg", func() { var wg sync.WaitGroup; wg.Done() })
}
