package main

import "fmt"

// cleanup is deferred; it defers recover itself. When cleanup returns
// normally, its deferred recover runs as if cleanup called it: the panic
// that called cleanup stops.
func cleanup() {
	defer recover()
	fmt.Println("cleanup runs")
}

// noisy panics while its deferred recover is pending: recover then runs
// from the panic and stops nothing.
func noisy() {
	defer recover()
	panic("from noisy")
}

func first() {
	defer cleanup()
	panic("first")
}

func second() {
	defer func() { fmt.Println("second recovers:", recover()) }()
	defer noisy()
	panic("second")
}

func main() {
	first()
	fmt.Println("first returned normally")
	second()
	fmt.Println("second returned normally")
}
