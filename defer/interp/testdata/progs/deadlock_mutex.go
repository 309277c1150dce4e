package main

import (
	"fmt"
	"sync"
)

var mu sync.Mutex

func main() {
	mu.Lock()
	fmt.Println("locked once")
	mu.Lock()
}
