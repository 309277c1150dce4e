package main

import "fmt"

type Point struct{ X, Y int }

func main() {
	var grid [3][3]rune
	for i := range grid {
		for j := range grid[i] {
			grid[i][j] = '.'
		}
	}
	grid[1][1] = 'X'
	for _, row := range grid {
		fmt.Println(string(row[:]))
	}
	arr := [5]int{1, 2, 3, 4, 5}
	s := arr[1:3]
	s[0] = 20
	s = append(s, 30)
	fmt.Println(arr, s, len(s), cap(s))
	s = append(s, 40, 50)
	s[0] = 99
	fmt.Println(arr, s, len(s), cap(s))
	t := arr[1:2:3]
	fmt.Println(t, len(t), cap(t))
	nums := []int{1, 2, 3}
	p := &nums[1]
	*p = 200
	defer fmt.Println("deferred sees", nums, *p)
	nums = append(nums, 4)
	*p = 300
	fmt.Println(nums, *p)
	pts := []Point{{1, 2}, {3, 4}}
	q := &pts[0]
	q.X = 10
	pts[0], pts[1] = pts[1], pts[0]
	fmt.Println(pts, *q)
	x, y := Point{1, 1}, Point{2, 2}
	x, y = y, x
	fmt.Println(x, y)
	pa := &arr
	fmt.Println(pa[2:], len(pa))
	defer func() { fmt.Println("recovered:", recover()) }()
	i := 6
	_ = arr[1:i]
}
