package main

import "fmt"

func risky() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	panic("x")
}

func main() {
	fmt.Println("risky:", risky())
	defer fmt.Println("main deferred")
	panic(fmt.Sprint("later: ", 3))
}
