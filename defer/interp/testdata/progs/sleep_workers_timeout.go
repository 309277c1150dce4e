package main

import (
	"fmt"
	"sync"
	"time"
)

func worker(id int, jobs <-chan int, results chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		fmt.Println("worker", id, "started  job", j)
		time.Sleep(time.Duration(id) * 200 * time.Millisecond)
		fmt.Println("worker", id, "finished job", j)
		results <- j * 2
	}
}

func main() {
	start := time.Duration(0)
	defer fmt.Println("main done after", start+1500*time.Millisecond)
	jobs := make(chan int, 5)
	results := make(chan int, 5)
	var wg sync.WaitGroup
	for w := 1; w <= 3; w++ {
		wg.Add(1)
		go worker(w, jobs, results, &wg)
		time.Sleep(10 * time.Millisecond)
	}
	for j := 1; j <= 5; j++ {
		jobs <- j
		time.Sleep(50 * time.Millisecond)
	}
	close(jobs)
	wg.Wait()
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}
	fmt.Println("sum", sum)
	c1 := make(chan string)
	go func() {
		time.Sleep(200 * time.Millisecond)
		c1 <- "result 1"
	}()
	select {
	case res := <-c1:
		fmt.Println(res)
	case <-time.After(100 * time.Millisecond):
		fmt.Println("timeout 1")
	}
	select {
	case res := <-c1:
		fmt.Println(res)
	case <-time.After(300 * time.Millisecond):
		fmt.Println("timeout 2")
	}
	fmt.Println(2*time.Second+300*time.Millisecond, time.Duration(1500)*time.Microsecond, (90 * time.Second).Seconds())
}
