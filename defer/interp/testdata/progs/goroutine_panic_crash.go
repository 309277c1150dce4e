package main

import "fmt"

func main() {
	done := make(chan bool)
	go func() {
		defer fmt.Println("deferred in the goroutine")
		panic("boom in a goroutine")
	}()
	<-done
	fmt.Println("not reached")
}
