package main

import "fmt"

func f() (out []string) {
	defer func() { out = append(out, "first defer") }()
	defer func() {
		r := recover()
		out = append(out, fmt.Sprint("recovered ", r))
	}()
	defer func() { out = append(out, "third defer") }()
	panic("stop")
}

func main() {
	fmt.Println(f())
}
