package main

type label string

func main() {
	panic(label("multi\nline"))
}
