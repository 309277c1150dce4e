package main

func main() {
	defer func() {
		panic("third")
	}()
	defer func() {
		r := recover()
		panic(r)
	}()
	panic("first")
}
