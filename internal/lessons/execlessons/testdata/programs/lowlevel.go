// lowlevel.go: what is under os/exec on Linux.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

func main() {
	// syscall.ForkExec: clone + execve; Wait4 collects the status and
	// the resource usage.
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", "exit 3"}, &syscall.ProcAttr{})
	if err != nil {
		fmt.Println("ForkExec:", err)
		return
	}
	var ws syscall.WaitStatus
	var ru syscall.Rusage
	_, err = syscall.Wait4(pid, &ws, 0, &ru)
	fmt.Println("Wait4:", err, "exited:", ws.Exited(), "code:", ws.ExitStatus(), "max RSS > 0:", ru.Maxrss > 0)

	// LookPath refuses a match found through a relative PATH entry.
	dir, _ := os.MkdirTemp("", "errdot")
	defer os.RemoveAll(dir)
	os.WriteFile(dir+"/tool", []byte("#!/bin/sh\n"), 0o755)
	os.Chdir(dir)
	os.Setenv("PATH", ".")
	path, err := exec.LookPath("tool")
	fmt.Printf("LookPath: %q, ErrDot: %v\n", path, errors.Is(err, exec.ErrDot))
	os.Setenv("PATH", "/usr/bin:/bin")

	// The pidfd behind os.Process.
	cmd := exec.Command("/bin/sleep", "100")
	cmd.Start()
	cmd.Process.WithHandle(func(h uintptr) {
		link, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", h))
		fmt.Println("handle:", link)
	})
	cmd.Process.Kill()
	cmd.Wait()

	// Pdeathsig fires when the creating thread exits.
	started := make(chan *exec.Cmd)
	go func() {
		runtime.LockOSThread()
		if syscall.Gettid() == os.Getpid() {
			go func() { started <- startWithPdeathsig() }() // never the main thread
			select {}
		}
		started <- startWithPdeathsig()
		// returning while locked: the runtime ends this thread
	}()
	child := <-started
	child.Wait()
	fmt.Println("Pdeathsig child, our process still alive:", child.ProcessState)
}

func startWithPdeathsig() *exec.Cmd {
	runtime.LockOSThread()
	cmd := exec.Command("/bin/sleep", "100")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Start()
	return cmd
}
