package main

import (
	"fmt"
	"sync"
)

type Event struct {
	ID   int
	Kind string
}

type Bus struct {
	mu       sync.Mutex
	handlers map[string][]func(Event)
	log      []string
}

func (b *Bus) On(kind string, h func(Event)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.handlers == nil {
		b.handlers = make(map[string][]func(Event))
	}
	b.handlers[kind] = append(b.handlers[kind], h)
}

func (b *Bus) Emit(e Event) {
	b.mu.Lock()
	hs := b.handlers[e.Kind]
	b.mu.Unlock()
	for i, h := range hs {
		func() {
			defer func() {
				if r := recover(); r != nil {
					b.log = append(b.log, fmt.Sprintf("handler %d for %s: %v", i, e.Kind, r))
				}
			}()
			h(e)
		}()
	}
}

func main() {
	var bus Bus
	total := 0
	bus.On("add", func(e Event) { total += e.ID })
	bus.On("add", func(e Event) {
		if e.ID%2 == 0 {
			panic(fmt.Sprintf("even id %d", e.ID))
		}
	})
	bus.On("fail", func(e Event) { var m map[int]int; m[e.ID] = 1 })
	var wg sync.WaitGroup
	for i := 1; i <= 4; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			bus.Emit(Event{id, "add"})
		}(i)
		wg.Wait()
	}
	bus.Emit(Event{7, "fail"})
	bus.Emit(Event{8, "none"})
	fmt.Println(total)
	for _, l := range bus.log {
		fmt.Println(l)
	}
}
