package main

import "fmt"

var keep *int

// r's address escapes to a global, so r lives on the heap and the
// compiler does not open-code the defer.
func f() (r int) {
	keep = &r
	defer func() { r *= 3 }()
	return 5
}

func g() (r int) {
	defer func() { r *= 3 }()
	return 5
}

func main() {
	fmt.Println(f(), g(), *keep)
	*keep = 1
	fmt.Println(*keep)
}
