package main

import "fmt"

type I interface{ M() }

type T struct{ x int }

func (t T) M() { fmt.Println("M", t.x) }

func call(i I) (r int) {
	defer func() { fmt.Println("recovered:", recover()) }()
	defer i.M()
	r = 1
	return
}

func main() {
	var pt *T
	fmt.Println(call(pt))
	fmt.Println(call(&T{2}))
	defer func() { fmt.Println("main recovered:", recover()) }()
	defer pt.M()
	fmt.Println("not reached")
}
