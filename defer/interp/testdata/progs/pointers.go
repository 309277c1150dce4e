package main

import "fmt"

func set(p *int, v int) { *p = v }

func main() {
	x := 1
	p := &x
	defer func() { fmt.Println("x at exit", x, *p) }()
	defer set(p, 10)
	set(&x, 5)
	fmt.Println("x now", x)
}
