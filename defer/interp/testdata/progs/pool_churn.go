package main

import "fmt"

func batch(n int) int {
	sum := 0
	func() {
		for i := range n {
			defer func() { sum += i }()
		}
	}()
	return sum
}

func main() {
	fmt.Println(batch(40), batch(70), batch(5), batch(33))
}
