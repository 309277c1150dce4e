package main

import "fmt"

func helper() any { return recover() }

func main() {
	defer func() {
		fmt.Println("direct:", recover())
	}()
	defer func() {
		fmt.Println("through helper:", helper())
	}()
	defer func() {
		func() { fmt.Println("nested literal:", recover()) }()
	}()
	panic("only a direct call recovers")
}
