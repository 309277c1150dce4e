package main

import (
	"fmt"
	"sync"
)

var mu sync.Mutex

func main() {
	defer fmt.Println("fatal errors run no deferred call")
	mu.Unlock()
}
