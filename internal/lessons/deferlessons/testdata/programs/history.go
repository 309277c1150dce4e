package main

import "fmt"

func work(n int) (sum int) {
	defer func() { sum++ }()
	defer func() { sum *= 2 }()
	return n
}

func main() {
	total := 0
	for i := range 100 {
		total += work(i)
	}
	fmt.Println(total)
}
