package main

import (
	"fmt"
	"runtime"
	"sync"
)

func worker(id int, wg *sync.WaitGroup, results chan<- string) {
	defer wg.Done()
	defer fmt.Println("worker", id, "deferred calls run")
	if id == 1 {
		runtime.Goexit() // ends the goroutine; its deferred calls still run
	}
	results <- fmt.Sprint("worker ", id, " done")
}

func main() {
	var wg sync.WaitGroup
	results := make(chan string, 2)
	for id := range 2 {
		wg.Add(1)
		go worker(id, &wg, results)
		wg.Wait() // returns for both: Goexit ran wg.Done too
	}
	close(results)
	for r := range results {
		fmt.Println(r)
	}
}
