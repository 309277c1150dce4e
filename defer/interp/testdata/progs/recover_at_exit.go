package main

import "fmt"

func f() (s string) {
	defer func() {
		s = fmt.Sprint("recovered at exit: ", recover())
	}()
	defer func() {
		panic("raised by a deferred call during a normal return")
	}()
	return "normal"
}

func main() {
	fmt.Println(f())
}
