package main

import (
	"fmt"
	"runtime"
	"sync"
)

var mu sync.Mutex
var wg sync.WaitGroup
var total int

func add(n int) {
	defer wg.Done()
	mu.Lock()
	defer mu.Unlock()
	total += n
}

func worker(id int, jobs chan int, results chan int) {
	for j := range jobs {
		results <- j * 10
	}
	_ = id
}

func main() {
	for i := range 5 {
		wg.Add(1)
		go add(i)
	}
	wg.Wait()
	fmt.Println("total", total)
	jobs := make(chan int, 3)
	results := make(chan int)
	go worker(1, jobs, results)
	go func() {
		for i := 1; i <= 4; i++ {
			jobs <- i
		}
		close(jobs)
	}()
	sum := 0
	for range 4 {
		sum += <-results
	}
	fmt.Println("sum", sum, len(jobs), cap(jobs))
	done := make(chan bool)
	go func() {
		defer close(done)
		defer fmt.Println("deferred before Goexit")
		runtime.Goexit()
	}()
	_, ok := <-done
	fmt.Println("done", ok)
	select {
	case v := <-results:
		fmt.Println("got", v)
	default:
		fmt.Println("nothing ready")
	}
	var once sync.Once
	for range 3 {
		once.Do(func() { fmt.Println("once") })
	}
	<-results
}
