package main

import "fmt"

func f() (r int) {
	defer func() {
		r = 10
		if x := recover(); x != nil {
			r += 1
			panic(fmt.Sprint("again ", x))
		}
	}()
	panic("p")
}

func main() {
	defer func() {
		fmt.Println("main recovered", recover())
	}()
	fmt.Println(f())
}
