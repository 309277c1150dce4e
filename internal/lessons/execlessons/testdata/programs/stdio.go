// stdio.go: three ways to connect a child's standard streams, and the
// StdoutPipe trap.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

func main() {
	// 1. Fields holding any io.Reader / io.Writer: os/exec makes a pipe
	// and a goroutine that copies; Wait waits for the copy to finish.
	var out bytes.Buffer
	cmd := exec.Command("tr", "a-z", "A-Z")
	cmd.Stdin = strings.NewReader("shout\n")
	cmd.Stdout = &out
	fmt.Println("1. buffer:", cmd.Run(), strings.TrimSpace(out.String()))

	// 2. An *os.File is handed to the child as is: no pipe, no goroutine.
	cmd = exec.Command("echo", "2. straight to our stdout")
	cmd.Stdout = os.Stdout
	cmd.Run()

	// 3. StdoutPipe: read everything, then Wait.
	cmd = exec.Command("echo", "piped")
	r, _ := cmd.StdoutPipe()
	cmd.Start()
	b, err := io.ReadAll(r)
	fmt.Printf("3. read %q, %v; wait: %v\n", b, err, cmd.Wait())

	// 4. The trap: Wait first. Wait closes the pipe as soon as the
	// child has exited, so what it wrote is lost. (Here the output is
	// small; with more than a pipe's 64 KiB the child would block
	// writing and Wait would never return.)
	cmd = exec.Command("echo", "lost")
	r, _ = cmd.StdoutPipe()
	cmd.Start()
	werr := cmd.Wait()
	b, err = io.ReadAll(r)
	fmt.Printf("4. wait: %v; read %q, %v\n", werr, b, err)
}
