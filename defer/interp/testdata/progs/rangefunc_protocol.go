package main

import (
	"errors"
	"fmt"
)

// stubborn ignores yield's false and goes on.
func stubborn(yield func(int) bool) {
	for i := range 3 {
		yield(i)
	}
}

// swallow recovers a panic of the loop body and returns.
func swallow(yield func(string, int) bool) {
	defer func() { fmt.Println("swallow recovered:", recover()) }()
	yield("a", 1)
}

func pairs(m map[string]int) func(func(string, int) bool) {
	return func(yield func(string, int) bool) {
		for _, k := range []string{"x", "y", "z"} {
			if v, ok := m[k]; ok && !yield(k, v) {
				return
			}
		}
	}
}

func try(name string, f func()) {
	defer func() {
		r := recover()
		err, _ := r.(error)
		fmt.Println(name+":", r, errors.Unwrap(err) == nil)
	}()
	f()
}

func sum(m map[string]int) (total int, err error) {
	defer func() {
		if err != nil {
			total = -1
		}
	}()
outer:
	for k, v := range pairs(m) {
		switch {
		case v < 0:
			return 0, fmt.Errorf("negative %s", k)
		case v == 0:
			continue outer
		case v > 100:
			break outer
		}
		total += v
	}
	return total, nil
}

func main() {
	try("stubborn", func() {
		for i := range stubborn {
			fmt.Println("got", i)
			break
		}
	})
	try("swallow", func() {
		for k, v := range swallow {
			fmt.Println("body", k, v)
			panic("body panics")
		}
	})
	fmt.Println(sum(map[string]int{"x": 1, "y": 0, "z": 3}))
	fmt.Println(sum(map[string]int{"x": 1, "y": -2}))
	fmt.Println(sum(map[string]int{"x": 7, "y": 200, "z": 3}))
}
