// hog allocates memory 4 MiB at a time, touching every page so the kernel
// really charges it, and says how much it holds after each step.
package main

import "fmt"

func main() {
	var keep [][]byte
	for mib := 4; mib <= 256; mib += 4 {
		b := make([]byte, 4<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		keep = append(keep, b)
		fmt.Printf("holding %d MiB\n", mib)
	}
	fmt.Println("never killed?")
}
