package main

import "fmt"

func level3() {
	defer fmt.Println("level3 deferred")
	panic("deep")
}

func level2() {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("level2 recovered", r)
			panic(fmt.Sprint("level2 re-panics: ", r))
		}
	}()
	level3()
}

func level1() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("level1: %v", r)
		}
	}()
	level2()
	return nil
}

func main() {
	fmt.Println(level1())
}
