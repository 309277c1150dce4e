package main

import "fmt"

type code int

type label string

type flag bool

func main() {
	defer func() {
		r := recover()
		fmt.Println("recovered", r)
		c, ok := r.(code)
		fmt.Println(c, ok, c+1)
		var l any = label("x")
		if s, ok := l.(label); ok {
			fmt.Println("label", s)
		}
		var f any = flag(true)
		panic(f)
	}()
	panic(code(3))
}
