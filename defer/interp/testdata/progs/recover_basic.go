package main

import "fmt"

func safe() (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint("recovered: ", r)
		}
	}()
	panic("boom")
}

func main() {
	fmt.Println(safe())
	fmt.Println("main goes on")
}
