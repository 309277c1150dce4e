package main

import "fmt"

func main() {
outer:
	for i := range 4 {
		switch i {
		case 0:
			continue
		case 1:
			fmt.Println("one")
			fallthrough
		case 2:
			fmt.Println("two or fell through")
		default:
			break outer
		}
		defer fmt.Println("deferred in iteration", i)
	}
	for i := 0; ; i++ {
		if i == 2 {
			break
		}
		fmt.Println("forever", i)
	}
}
