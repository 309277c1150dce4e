package main

import "fmt"

// linked keeps its defers on the _defer list (a loop defer).
func linked() {
	for i := range 2 {
		defer fmt.Println("linked: record", i)
	}
	panic("boom")
}

// open has open-coded defers; the panic runs its pending bit.
func open() {
	defer fmt.Println("open: bit 0")
	linked()
}

// guard recovers: the runtime resumes at guard's deferreturn and guard
// returns normally to main.
func guard() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("guard: %v", r)
		}
	}()
	open()
	return nil
}

func main() {
	fmt.Println(guard())
	fmt.Println("main goes on")
}
