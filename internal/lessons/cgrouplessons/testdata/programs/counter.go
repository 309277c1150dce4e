// counter writes an ever-growing number to the file named by its
// argument, about every 10 ms, forever.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 1; ; i++ {
		f.WriteAt([]byte(fmt.Sprintf("%10d", i)), 0)
		time.Sleep(10 * time.Millisecond)
	}
}
