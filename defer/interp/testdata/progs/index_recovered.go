package main

import "fmt"

func get(s []int, i int) (v int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("get: %v", r)
		}
	}()
	return s[i], nil
}

func main() {
	fmt.Println(get([]int{10, 20}, 1))
	fmt.Println(get([]int{10, 20}, 2))
	fmt.Println(get(nil, -1))
}
