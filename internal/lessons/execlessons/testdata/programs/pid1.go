// pid1.go runs as PID 1 of a new PID namespace (the lesson starts it with
// CLONE_NEWPID|CLONE_NEWNS). It shows that an orphan comes to PID 1 as a
// zombie, and that only PID 1's wait can remove it.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "leave-orphan" {
		leaveOrphan()
		return
	}
	fmt.Println("init: my pid is", os.Getpid())
	// A /proc that shows this namespace's PIDs, in a private mount tree.
	if err := syscall.Mount("", "/", "", syscall.MS_PRIVATE|syscall.MS_REC, ""); err != nil {
		fmt.Println("init: unable to make / private:", err)
		return
	}
	if err := syscall.Mount("proc", "/proc", "proc", 0, ""); err != nil {
		fmt.Println("init: unable to mount /proc:", err)
		return
	}

	// A child that starts a grandchild and exits without waiting for it.
	cmd := exec.Command("/proc/self/exe", "leave-orphan")
	cmd.Stdout = os.Stdout
	if err := cmd.Run(); err != nil {
		fmt.Println("init:", err)
		return
	}
	pid := lastChildZombie()
	fmt.Println("init: the orphan is now my child:", pid > 0)
	fmt.Println("init: its", strings.TrimSpace(status(pid, "State:")))

	// Only init can collect it.
	var ws syscall.WaitStatus
	got, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
	fmt.Println("init: wait4 reaped the orphan:", got == pid, err, "exit code", ws.ExitStatus())
	_, err = os.Stat(fmt.Sprintf("/proc/%d", pid))
	fmt.Println("init: the orphan left /proc:", os.IsNotExist(err))
}

// leaveOrphan starts "exit 5", waits until it is a zombie, and exits
// without collecting it.
func leaveOrphan() {
	p, err := os.StartProcess("/bin/sh", []string{"sh", "-c", "exit 5"}, &os.ProcAttr{})
	if err != nil {
		fmt.Println("parent:", err)
		return
	}
	for !strings.Contains(status(p.Pid, "State:"), "Z") {
		time.Sleep(time.Millisecond)
	}
	fmt.Println("parent: my child", strings.TrimSpace(status(p.Pid, "State:")), "and I exit without waiting")
}

// lastChildZombie returns a zombie whose parent is this process.
func lastChildZombie() int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		if strings.Contains(status(pid, "State:"), "Z") && status(pid, "PPid:") == "PPid: 1" {
			return pid
		}
	}
	return 0
}

// status returns the line of /proc/PID/status that starts with key, with
// its tab turned into a space.
func status(pid int, key string) string {
	for _, l := range strings.Split(read(fmt.Sprintf("/proc/%d/status", pid)), "\n") {
		if strings.HasPrefix(l, key) {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

func read(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
