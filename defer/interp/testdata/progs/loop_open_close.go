package main

import "fmt"

type Res struct{ id int }

func open(id int) *Res {
	fmt.Println("open", id)
	return &Res{id}
}

func (r *Res) Close() { fmt.Println("close", r.id) }

func allAtEnd() {
	for i := range 3 {
		r := open(i)
		defer r.Close()
	}
	fmt.Println("allAtEnd body done")
}

func perIteration() {
	for i := range 3 {
		func() {
			r := open(10 + i)
			defer r.Close()
			fmt.Println("use", r.id)
		}()
	}
}

func main() {
	allAtEnd()
	perIteration()
}
