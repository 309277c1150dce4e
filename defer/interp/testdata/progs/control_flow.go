package main

import "fmt"

var hook = func(s string) { fmt.Println("hook:", s) }

func search(grid [][]int, want int) (r, c int) {
	defer hook("search done")
outer:
	for i, row := range grid {
		for j, v := range row {
			if v < 0 {
				continue outer
			}
			if v == want {
				r, c = i, j
				goto found
			}
		}
	}
	return -1, -1
found:
	defer fmt.Println("found at", r, c)
	return
}

func main() {
	grid := [][]int{{1, -1, 7}, {4, 5, 6}, {7, 8, 9}}
	fmt.Println(search(grid, 7))
	fmt.Println(search(grid, 6))
	fmt.Println(search(grid, 42))
	n := 0
	for n < 10 {
		n += 3
		switch {
		case n%2 == 0:
			continue
		case n > 8:
			break
		default:
			defer fmt.Println("odd", n)
		}
	}
	fmt.Println("n =", n)
}
