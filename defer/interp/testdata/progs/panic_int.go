package main

func main() {
	defer func() {
		recover()
		panic(7)
	}()
	panic(7)
}
