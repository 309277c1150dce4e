package main

import (
	"errors"
	"fmt"
)

type Bad struct{ items []string }

func (b *Bad) String() string { return b.items[0] }

type Loud int

func (l Loud) Error() string { panic(errors.New("loud fails")) }

func main() {
	var nilBad *Bad
	fmt.Println(nilBad, &Bad{}, &Bad{[]string{"ok"}})
	fmt.Printf("%s|%v|%d\n", Loud(1), Loud(2), Loud(3))
	err := fmt.Errorf("wrap: %w", Loud(4))
	fmt.Println(errors.Unwrap(err) == Loud(4))
	defer fmt.Println("deferred:", &Bad{})
}
