package main

import (
	"fmt"
	"sync"
)

type Counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *Counter) Inc(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[key]++
}

func (c *Counter) Get(key string) int {
	c.mu.Lock()
	unlock := c.mu.Unlock
	defer unlock()
	return c.n[key]
}

func main() {
	c := &Counter{n: map[string]int{}}
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Inc([]string{"a", "b"}[i%2])
		}()
	}
	wg.Wait()
	fmt.Println(c.Get("a"), c.Get("b"), len(c.n))
	fmt.Println(c.n)
}
