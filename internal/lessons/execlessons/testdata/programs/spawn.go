// spawn.go starts /bin/true the way every Go program does.
package main

import (
	"fmt"
	"os/exec"
)

func main() {
	err := exec.Command("/bin/true").Run()
	fmt.Println("ran /bin/true:", err)
}
