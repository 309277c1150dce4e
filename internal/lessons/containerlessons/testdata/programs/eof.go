// eof.go: how a parent learns that its child's execve succeeded.
package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "child" {
		child(os.Args[2])
		return
	}
	for _, prog := range []string{"/bin/true", "/no/such/program"} {
		parent(prog)
	}
}

func parent(prog string) {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	self, _ := os.Executable()
	cmd := exec.Command(self, "child", prog)
	cmd.ExtraFiles = []*os.File{w} // descriptor 3 in the child
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	w.Close()               // the parent must not hold a writer, or EOF never comes
	msg, _ := io.ReadAll(r) // returns at EOF: when every writer is closed
	cmd.Wait()
	if len(msg) == 0 {
		fmt.Printf("%s: EOF and nothing else, so execve succeeded\n", prog)
	} else {
		fmt.Printf("%s: the child said %q before EOF\n", prog, msg)
	}
}

func child(prog string) {
	syscall.CloseOnExec(3) // a successful execve closes descriptor 3
	sync := os.NewFile(3, "sync")
	err := syscall.Exec(prog, []string{prog}, os.Environ())
	fmt.Fprintf(sync, "exec %s: %v", prog, err) // reached only when execve failed
	os.Exit(1)
}
