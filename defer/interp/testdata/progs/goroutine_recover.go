package main

import (
	"fmt"
	"sync"
)

func safe(wg *sync.WaitGroup, i int, out chan string) {
	defer wg.Done()
	defer func() {
		if r := recover(); r != nil {
			out <- fmt.Sprint("recovered: ", r)
		}
	}()
	if i == 2 {
		panic("two")
	}
	out <- fmt.Sprint("ok ", i)
}

func main() {
	var wg sync.WaitGroup
	out := make(chan string, 3)
	for i := 1; i <= 3; i++ {
		wg.Add(1)
		go safe(&wg, i, out)
		wg.Wait()
		fmt.Println(<-out)
	}
}
