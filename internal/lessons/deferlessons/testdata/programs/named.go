package main

import (
	"errors"
	"fmt"
)

// double's deferred closure runs after "return 21" stored 21 in n.
func double() (n int) {
	defer func() { n *= 2 }()
	return 21
}

// plain has no named result: the deferred closure changes a local
// variable, not the value already returned.
func plain() int {
	n := 21
	defer func() { n *= 2 }()
	return n
}

// save turns a panic into an error through its named result.
func save() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	panic(errors.New("disk on fire"))
}

func main() {
	fmt.Println("double:", double())
	fmt.Println("plain: ", plain())
	fmt.Println("save:  ", save())
}
