package main

type e int

func (x e) Error() string { panic("inner") }

func main() {
	defer println("deferred")
	panic(e(1))
}
