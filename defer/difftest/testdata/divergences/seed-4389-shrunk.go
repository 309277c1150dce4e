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

func f0(a int) int {
	x := a + 1
	_ = x
	s := S{n: a}
	_ = s
	return x
}

func f1(a int) int {
	x := a + 4
	_ = x
	s := S{n: a}
	_ = s
	return 2
}

func f2(a int) {
	x := a + 3
	_ = x
	s := S{n: a}
	_ = s
	return
}

func f3(a int) (r int) {
	x := a + 2
	_ = x
	s := S{n: a}
	_ = s
	defer s.Show("f3.3")
	defer fmt.Println("f3.4", r)
	defer s.Bump()
	defer s.Show("f3.9")
	defer s.Bump()
	{
		p := &x
		*p += 3
	}
	{
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer catch("f3.32")
			if a == 5 {
				runtime.Goexit()
			}
			fmt.Println("f3.35", a)
		}()
		wg.Wait()
	}
	return
}

func f4(a int) (r int) {
	x := a + 0
	_ = x
	s := S{n: a}
	_ = s
	func() {
		func() {
			s.n += r + 1
			fmt.Println("f4.1", r, x)
			if a <= 5 {
				os.Exit(4)
			}
			s.n += a + 8
			for q2 := range seq(1) {
				_ = q2
				defer fmt.Println("f4.3", a, r, r)
				f2(a)
				s.Bump()
				s.n += q2
				x = a
			}
		}()
	}()
	a += f3(x + 1)
	if r <= 4 {
		return a * 3
	}
	defer func() { catch("f4.11") }()
	return
}

func main() {
	x := 0
	_ = x
	fmt.Println("main.2", f0(4))
	fmt.Println("main.3", f1(4))
	f2(0)
	fmt.Println("main.4")
	fmt.Println("main.8", f3(4))
	fmt.Println("main.15", f4(1))
}
