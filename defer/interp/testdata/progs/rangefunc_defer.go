package main

import "fmt"

func seq(n int) func(yield func(int) bool) {
	return func(yield func(int) bool) {
		defer fmt.Println("seq done")
		for i := range n {
			if !yield(i) {
				fmt.Println("stopped at", i)
				return
			}
		}
	}
}

func use() (r int) {
	defer fmt.Println("use's own defer")
	for i := range seq(5) {
		defer fmt.Println("deferred in body", i)
		if i == 2 {
			r = i
			break
		}
	}
	fmt.Println("after loop")
	return
}

func find() int {
	for i := range seq(4) {
		defer fmt.Println("find body defer", i)
		if i == 1 {
			return i * 10
		}
	}
	return -1
}

func main() {
	fmt.Println(use())
	fmt.Println(find())
	defer func() { fmt.Println("recovered", recover()) }()
	for i := range seq(3) {
		defer fmt.Println("main body defer", i)
		if i == 1 {
			panic("in body")
		}
	}
}
