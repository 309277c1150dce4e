package main

import "fmt"

func trace(msg string) func() {
	fmt.Println("enter", msg)
	return func() { fmt.Println("exit", msg) }
}

func a() (result int) {
	defer trace("a")()
	defer func() { result *= 7 }()
	for i := 0; i < 3; i++ {
		defer func(n int) { result += n }(i)
	}
	return 1
}

type Logger interface{ Log(string) }
type prefixLogger struct{ prefix string }

func (p prefixLogger) Log(s string) { fmt.Println(p.prefix + s) }

type Service struct {
	Logger
	name string
}

func gen(n int) <-chan int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := range n {
			ch <- i * i
		}
	}()
	return ch
}

func sq(in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for v := range in {
			out <- v + 1
		}
	}()
	return out
}

func sum(nums ...int) (total int) {
	defer func() { fmt.Println("sum of", len(nums), "=", total) }()
	for _, n := range nums {
		total += n
	}
	return
}

func main() {
	fmt.Println(a())
	s := Service{prefixLogger{"[svc] "}, "api"}
	defer s.Log("stopped " + s.name)
	log := s.Log
	s.Logger = prefixLogger{"[new] "}
	log("via method value")
	s.Log("direct")
	var l Logger = s
	defer l.Log("iface")
	for v := range sq(gen(4)) {
		fmt.Print(v, " ")
	}
	fmt.Println()
	sum(1, 2, 3)
	sum([]int{4, 5}...)
	sum()
	quit := make(chan bool)
	data := make(chan int)
	go func() {
		for i := range 3 {
			data <- i
		}
		quit <- true
	}()
	for {
		select {
		case v := <-data:
			fmt.Println("data", v)
		case <-quit:
			fmt.Println("quit")
			return
		}
	}
}
