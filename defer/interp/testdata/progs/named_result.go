package main

import "fmt"

func double() (n int) {
	defer func() { n *= 2 }()
	return 21
}

func unnamed() int {
	n := 1
	defer func() { n = 100 }()
	return n
}

func main() {
	fmt.Println(double(), unnamed())
}
