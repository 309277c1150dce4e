package main

import "fmt"

func classify(n int) string {
	defer fmt.Println("classify", n)
	defer func() {}()
	defer func() {}()
	defer func() {}()
	switch {
	case n < 0:
		return "negative"
	case n == 0:
		return "zero"
	case n < 10:
		return "small"
	}
	return "large"
}

func main() {
	fmt.Println(classify(-1), classify(0), classify(5), classify(50))
}
