package main

import "fmt"

func main() {
	var p *[3]int
	n := 0
	for i := range p {
		n += i
	}
	fmt.Println(n)
	a := [3]int{1, 2, 3}
	for i, v := range &a {
		a[2] = 10
		fmt.Println(i, v)
	}
	defer func() { fmt.Println("recovered:", recover()) }()
	s := []int{1, 2, 3}
	fmt.Println(s[1:2][-1+1], "x"[0:1])
	i := -1
	fmt.Println(a[i+0*len(s)])
}
