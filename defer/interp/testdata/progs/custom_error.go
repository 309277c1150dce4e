package main

import (
	"errors"
	"fmt"
)

type status int

func (s status) Error() string { return fmt.Sprintf("status %d", int(s)) }

type name string

func (n name) String() string { return "name<" + string(n) + ">" }

func check(n int) error {
	if n > 2 {
		return status(n)
	}
	return nil
}

func main() {
	fmt.Println(check(1), check(5))
	err := check(7)
	fmt.Println(err.Error(), err != nil)
	var e error = errors.New("plain")
	fmt.Println(e.Error())
	fmt.Println(name("bob"), name("amy").String())
	defer fmt.Println("deferred print of", name("zed"))
	defer func() {
		r := recover()
		if err, ok := r.(error); ok {
			fmt.Println("recovered an error:", err)
		}
		panic(name("final"))
	}()
	panic(status(404))
}
