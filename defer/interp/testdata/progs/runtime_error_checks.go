package main

import (
	"errors"
	"fmt"
	"runtime"
)

type Grid struct{ cells *[4]int }

func check(name string, f func()) {
	defer func() {
		v := recover()
		re, ok := v.(runtime.Error)
		var err error
		isErr := false
		if e, ok := v.(error); ok {
			err, isErr = e, true
		}
		fmt.Printf("%s: runtime.Error=%v error=%v: %v\n", name, ok, isErr && err != nil, v)
		if ok {
			re.RuntimeError()
		}
	}()
	f()
}

func main() {
	var g Grid
	var m map[string]int
	var x int
	var i any = "s"
	check("nil array pointer", func() { fmt.Println(g.cells[1]) })
	check("nil map write", func() { m["a"] = 1 })
	check("divide", func() { fmt.Println(1 / x) })
	check("assert", func() { fmt.Println(i.(int)) })
	check("plain", func() { panic(errors.New("not a runtime error")) })
	check("slice", func() { s := []int{1}; fmt.Println(s[1 : x+3]) })
	p := new(int)
	*p = 3
	runtime.GC()
	fmt.Println(*p)
}
