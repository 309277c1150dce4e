package main

import (
	"fmt"
	"runtime"
	"sync"
)

type result struct {
	id  int
	val string
}

func worker(id int, wg *sync.WaitGroup, out chan<- result) {
	defer wg.Done()
	defer func() {
		if r := recover(); r != nil {
			out <- result{id, fmt.Sprint("recovered ", r)}
		}
	}()
	switch id {
	case 1:
		runtime.Goexit()
	case 2:
		panic(fmt.Sprintf("worker %d failed", id))
	}
	out <- result{id, "ok"}
}

func main() {
	var wg sync.WaitGroup
	out := make(chan result, 4)
	for i := range 4 {
		wg.Add(1)
		go worker(i, &wg, out)
	}
	wg.Wait()
	close(out)
	got := map[int]string{}
	for r := range out {
		got[r.id] = r.val
	}
	fmt.Println(got)
	var once sync.Once
	for range 3 {
		once.Do(func() { fmt.Println("once") })
	}
}
