package main

import "fmt"

var result string

func add(v ...any) { result += fmt.Sprint(v...) }

func sum(label string, ns ...int) int {
	defer fmt.Println(label, "got", len(ns), "numbers, nil:", ns == nil)
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
}

func pair() (int, int) { return 4, 5 }

func main() {
	for i := 0; i < 5; i++ {
		defer add(i)
	}
	defer func() { fmt.Println("result:", result) }()
	fmt.Println(sum("none"), sum("three", 1, 2, 3))
	xs := []int{10, 20}
	fmt.Println(sum("spread", xs...))
	ys := append(xs, xs...)
	fmt.Println(ys, len(ys))
	args := []any{"a", 1, true}
	fmt.Println(args...)
	fmt.Println(fmt.Sprint(pair()))
}
