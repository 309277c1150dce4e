package main

import "fmt"

type Res struct{ id int }

func open(id int) *Res {
	fmt.Println("open", id)
	return &Res{id}
}

func (r *Res) Close() { fmt.Println("close", r.id) }

// allAtEnd holds every resource until it returns: the defer is in a
// loop, so each iteration heap-allocates a record.
func allAtEnd() {
	for i := range 3 {
		r := open(i)
		defer r.Close()
	}
	fmt.Println("allAtEnd: loop done")
}

// perIteration closes each one before the next opens: the closure's
// defer is open-coded.
func perIteration() {
	for i := range 3 {
		func() {
			r := open(10 + i)
			defer r.Close()
		}()
	}
}

func main() {
	allAtEnd()
	perIteration()
}
