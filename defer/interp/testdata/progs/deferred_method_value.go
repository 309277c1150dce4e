package main

import "fmt"

var log []string

func record(s string) { log = append(log, s) }

func main() {
	defer func() { fmt.Println(log) }()
	for _, s := range []string{"x", "y", "z"} {
		defer record(s)
	}
}
