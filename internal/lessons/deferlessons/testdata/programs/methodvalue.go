package main

import (
	"fmt"
	"sync"
)

type Account struct {
	mu      sync.Mutex
	balance int
}

// Deposit holds the lock until it returns: defer a.mu.Unlock() binds
// the method to &a.mu at the defer statement.
func (a *Account) Deposit(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance += n
}

type Point struct{ X, Y int }

func (p Point) Show()   { fmt.Println("value receiver:", p) }
func (p *Point) PShow() { fmt.Println("pointer receiver:", *p) }

func main() {
	a := &Account{}
	var wg sync.WaitGroup
	for i := 1; i <= 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.Deposit(i * 10)
		}()
	}
	wg.Wait()
	fmt.Println("balance:", a.balance)

	p := Point{1, 2}
	defer p.Show()                                // copies p now: {1 2}
	defer p.PShow()                               // keeps &p: sees {10 2}
	defer func() { fmt.Println("closure:", p) }() // reads p at the end
	show := p.Show                                // a method value: copies p now
	p.X = 10
	show()
}
