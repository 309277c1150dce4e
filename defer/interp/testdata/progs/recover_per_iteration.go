package main

import "fmt"

func main() {
	for i := range 3 {
		func() {
			defer func() {
				if r := recover(); r != nil {
					fmt.Println("iteration", i, "recovered", r)
				}
			}()
			if i%2 == 0 {
				var s []int
				_ = s[i]
			}
			fmt.Println("iteration", i, "ok")
		}()
	}
	var f func(int) int
	defer func() { fmt.Println("last:", recover()) }()
	f(1)
}
