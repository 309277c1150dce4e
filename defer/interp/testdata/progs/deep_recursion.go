package main

import "fmt"

func depth(n int) (d int) {
	defer func() { d++ }()
	if n == 0 {
		return 0
	}
	return depth(n - 1)
}

func main() {
	fmt.Println(depth(500))
}
