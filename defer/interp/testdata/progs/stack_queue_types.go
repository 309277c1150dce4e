package main

import (
	"errors"
	"fmt"
)

type IntStack struct{ items []int }

func (s *IntStack) Push(v int) { s.items = append(s.items, v) }

func (s *IntStack) Pop() (v int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("pop from empty stack")
		}
	}()
	v = s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, nil
}

type Matrix [2][2]int

func (m Matrix) Mul(o Matrix) Matrix {
	var r Matrix
	for i := range 2 {
		for j := range 2 {
			for k := range 2 {
				r[i][j] += m[i][k] * o[k][j]
			}
		}
	}
	return r
}

func main() {
	var s IntStack
	for i := range 3 {
		s.Push(i * i)
	}
	for range 4 {
		v, err := s.Pop()
		fmt.Println(v, err)
	}
	m := Matrix{{1, 1}, {1, 0}}
	r := m
	for range 5 {
		r = r.Mul(m)
	}
	fmt.Println(r, m)
	grid := [][]string{{"a", "b"}, {"c"}}
	grid[1] = append(grid[1], "d")
	fmt.Println(grid, len(grid[1]))
	copy(grid[0], []string{"z"})
	fmt.Println(grid)
}
