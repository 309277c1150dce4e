// startprocess.go: the same program started twice, once with the
// low-level os.StartProcess and once with exec.Command.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	// os.StartProcess: a full path, the whole argv (argv[0] included),
	// the child's descriptors 0, 1, 2 as *os.File, and a Wait of our own.
	attr := &os.ProcAttr{Files: []*os.File{nil, os.Stdout, os.Stderr}}
	p, err := os.StartProcess("/bin/echo", []string{"echo", "from StartProcess"}, attr)
	if err != nil {
		fmt.Println("StartProcess:", err)
		return
	}
	st, err := p.Wait()
	fmt.Println("state:", st, err)

	// No $PATH search at this level: a bare name is a file in the
	// current directory.
	_, err = os.StartProcess("echo", []string{"echo"}, attr)
	fmt.Println("StartProcess(\"echo\"):", err)

	// exec.Command looks the name up in $PATH, sets argv[0], and leaves
	// nil stdio on /dev/null.
	cmd := exec.Command("echo", "from exec.Command")
	cmd.Stdout = os.Stdout
	err = cmd.Run()
	fmt.Printf("Path %s/%s (absolute: %v), Args[0] %q, err: %v\n",
		"...", filepath.Base(cmd.Path), filepath.IsAbs(cmd.Path), cmd.Args[0], err)
}
