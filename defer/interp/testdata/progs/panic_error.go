package main

import (
	"errors"
	"fmt"
)

func main() {
	defer fmt.Println("deferred")
	panic(errors.New("an error value"))
}
