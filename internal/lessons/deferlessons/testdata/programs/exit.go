package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("deferred: never printed")
	fmt.Println("calling os.Exit(3)")
	os.Exit(3)
}
