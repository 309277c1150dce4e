package main

import "fmt"

type noisy int

// String is called by fmt, not by the runtime: recover returns nil here
// even while a panic runs the deferred fmt.Println.
func (n noisy) String() string {
	return fmt.Sprint("noisy(", int(n), ") recover=", recover())
}

func main() {
	defer func() { fmt.Println("main recovered:", recover()) }()
	defer fmt.Println(noisy(1))
	panic("p")
}
