package main

import "fmt"

func f(n int) (s string) {
	defer func() {
		s = fmt.Sprint(s, " | recovered: ", recover())
	}()
	for i := range n {
		defer func() {
			if i == 1 {
				panic(fmt.Sprint("loop defer ", i))
			}
			s += fmt.Sprint(" ran ", i)
		}()
	}
	return "start"
}

func main() {
	fmt.Println(f(3))
}
