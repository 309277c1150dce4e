package main

import "fmt"

func main() {
	defer func() { fmt.Println("recovered:", recover()) }()
	c := make(chan int, 1)
	c <- 1
	close(c)
	v, ok := <-c
	fmt.Println(v, ok)
	v, ok = <-c
	fmt.Println(v, ok)
	close(c)
}
