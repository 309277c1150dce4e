package main

import "fmt"

func main() {
	defer fmt.Println("deferred runs before the crash")
	s := []int{1, 2, 3}
	i := 5
	fmt.Println(s[i])
}
