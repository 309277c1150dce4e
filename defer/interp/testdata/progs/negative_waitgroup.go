package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	defer fmt.Println("deferred")
	wg.Done()
}
