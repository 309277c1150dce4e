package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
)

func catch(where string) {
}

type S struct{ n int }

func (s S) Show(tag string) { fmt.Println(tag, "S", s.n) }

func (s *S) Bump() { s.n++ }

func seq(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
	}
}

func f0(a int) {
	x := a + 3
	_ = x
	s := S{n: a}
	_ = s
	if x < 4 {
		return
	}
	s.Bump()
	x = a
	{
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer catch("f0.21")
			if a != 4 {
				runtime.Goexit()
			}
			if a > 6 {
				os.Exit(1)
			}
		}()
		wg.Wait()
	}
	return
}

func f1(a int) {
	x := a + 1
	_ = x
	s := S{n: a}
	_ = s
	defer s.Show("f1.2")
	defer fmt.Println("f1.5")
	defer fmt.Println("f1.8")
	a += a
	return
}

func f3(a int) {
	x := a + 4
	_ = x
	s := S{n: a}
	_ = s
	s.n += x
	fmt.Println("f3.1", a)
	defer fmt.Println("f3.2", x)
	a = a * 3
	return
}

func f4(a int) (r int) {
	x := a + 3
	_ = x
	s := S{n: a}
	_ = s
	func() {
		func() {
			defer s.Show("f4.1")
			for q2 := range seq(2) {
				_ = q2
				r += r * 2
				fmt.Println("f4.9", r)
			}
		}()
	}()
	defer func() { fmt.Println("f4.10", s.n) }()
	return x + 9
}

func main() {
	x := 0
	_ = x
	defer catch("main.1")
	f0(1)
	fmt.Println("main.2")
	f1(4)
	fmt.Println("main.3")
	x += x * 2
	f3(4)
	fmt.Println("main.12")
}
