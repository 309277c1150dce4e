package main

import "fmt"

type e int

func (x e) Error() string {
	defer fmt.Println("Error's own defer runs")
	panic(fmt.Sprint("inner ", int(x)))
}

type quiet int

func (q quiet) Error() string {
	defer func() { fmt.Println("recovered inside Error:", recover()) }()
	panic("hidden")
}

func main() {
	defer println("deferred")
	if len(fmt.Sprint()) == 0 {
		panic(e(1))
	}
	panic(quiet(2))
}
