package main

import (
	"fmt"
	"sync"
)

type Counter struct {
	sync.Mutex
	n map[string]int
}

func (c *Counter) Inc(k string) {
	c.Lock()
	defer c.Unlock()
	c.n[k]++
}

var (
	once   sync.Once
	config map[string]string
)

func loadConfig() {
	fmt.Println("loading config")
	config = map[string]string{"env": "test"}
}

func Config(k string) string {
	once.Do(loadConfig)
	return config[k]
}

func main() {
	c := Counter{n: map[string]int{}}
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c.Inc(fmt.Sprint("k", i%3))
		}(i)
	}
	wg.Wait()
	fmt.Println(c.n)
	for range 3 {
		fmt.Println(Config("env"))
	}
	var o2 sync.Once
	for i := range 2 {
		func() {
			defer func() { fmt.Println("recovered:", recover()) }()
			o2.Do(func() { panic(fmt.Sprint("once panics ", i)) })
			fmt.Println("Do returned", i)
		}()
	}
	results := make([]int, 5)
	var mu sync.Mutex
	total := 0
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = i * 10
			mu.Lock()
			total += i
			mu.Unlock()
		}()
	}
	wg.Wait()
	fmt.Println(results, total)
}
