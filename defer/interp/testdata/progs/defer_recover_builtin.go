package main

import "fmt"

func main() {
	defer fmt.Println("deferred print still runs")
	defer recover()
	panic("defer recover() does not stop it")
}
