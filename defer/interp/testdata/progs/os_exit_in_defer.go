package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("skipped: os.Exit ran first")
	defer os.Exit(4)
	defer fmt.Println("runs before os.Exit")
	panic("never reported")
}
