// orphans.go: a timeout that leaves orphans, next to one that does not.
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// The shell puts one sleep in the background and waits for another.
const script = "sleep 100 & sleep 100"

func main() {
	run("exec.CommandContext alone", func(cmd *exec.Cmd) {})
	run("Setpgid + group kill", func(cmd *exec.Cmd) {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // own group, pgid = pid
		cmd.Cancel = func() error {
			return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the whole group
		}
	})
}

func run(name string, setup func(*exec.Cmd)) {
	mark := fmt.Sprintf("ORPHANS_DEMO=%d-%s", os.Getpid(), name)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", script)
	cmd.Env = append(os.Environ(), mark)
	var out bytes.Buffer
	cmd.Stdout = &out // a pipe: every sleep inherits it
	// Without WaitDelay, Wait would read that pipe until the orphaned
	// sleep exits, 100 seconds from now.
	cmd.WaitDelay = 200 * time.Millisecond
	setup(cmd)
	if err := cmd.Start(); err != nil {
		fmt.Println(name, err)
		return
	}
	// The timeout starts once both sleeps run, so that even a slow
	// machine has a tree to kill.
	for i := 0; i < 3000 && len(sleeping(mark)) < 2; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	err := cmd.Wait()
	// A process hit by SIGKILL may take a moment to disappear: look
	// again for up to a second before counting survivors.
	left := marked(mark)
	for i := 0; i < 100 && len(left) > 0; i++ {
		time.Sleep(10 * time.Millisecond)
		left = marked(mark)
	}
	fmt.Printf("%s:\n  Wait: %v\n  processes left: %d\n", name, err, len(left))
	for _, pid := range left {
		syscall.Kill(pid, syscall.SIGKILL) // clean up after the demonstration
	}
}

// sleeping lists the marked processes that run sleep.
func sleeping(mark string) []int {
	var pids []int
	for _, pid := range marked(mark) {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if string(comm) == "sleep\n" {
			pids = append(pids, pid)
		}
	}
	return pids
}

// marked lists live processes whose environment holds mark: the shell's
// children inherit it.
func marked(mark string) []int {
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if string(kv) == mark {
				pid, _ := strconv.Atoi(filepath.Base(d))
				pids = append(pids, pid)
			}
		}
	}
	return pids
}
