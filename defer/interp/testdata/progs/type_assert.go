package main

import "fmt"

func main() {
	defer func() {
		r := recover()
		fmt.Println("recovered:", r)
		var x any = "text"
		n := x.(int)
		fmt.Println(n)
	}()
	var v any = 3
	s, ok := v.(string)
	fmt.Println(s == "", ok)
	i := v.(int)
	fmt.Println(i)
	_ = v.(string)
}
