package main

import "fmt"

func open() {
	defer fmt.Println("open-coded frame: deferred")
	linked()
}

func linked() {
	for i := range 2 {
		defer fmt.Println("linked frame: loop defer", i)
	}
	panic("from linked")
}

func main() {
	defer func() {
		fmt.Println("main recovered:", recover())
	}()
	open()
}
