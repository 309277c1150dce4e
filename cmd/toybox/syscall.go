package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/deferio/deferio/container/seccomp"
	"golang.org/x/sys/unix"
)

// The syscall applet is registered here, after main.go's init made the
// map: a package's files run their init functions in file name order.
func init() {
	applets["syscall"] = applet{"syscall NAME [ARG...]: make system call NAME (an ARG that is not a number is a string's address) and print its result or errno", syscallApplet}
}

// syscallApplet makes one system call by name, with up to six arguments,
// and prints what it returned: "NAME(ARGS) = RESULT" or "NAME(ARGS) =
// -1 ENAME (text)"; it exits 0, or 1 when the call failed. A container's
// seccomp tests use it to reach calls no other applet makes with the
// arguments they need.
func syscallApplet(args []string) int {
	if len(args) == 0 || len(args) > 7 {
		fmt.Fprintln(os.Stderr, "usage: syscall NAME [ARG...] (at most six arguments)")
		return 2
	}
	nr, ok := seccomp.Syscall(seccomp.Native(), args[0])
	if !ok {
		fmt.Fprintf(os.Stderr, "syscall: no system call %q on this architecture\n", args[0])
		return 2
	}
	var a [6]uintptr
	var keep [][]byte
	for i, s := range args[1:] {
		if v, err := strconv.ParseInt(s, 0, 64); err == nil {
			a[i] = uintptr(v)
		} else if v, err := strconv.ParseUint(s, 0, 64); err == nil {
			a[i] = uintptr(v)
		} else {
			b := append([]byte(s), 0)
			keep = append(keep, b)
			a[i] = uintptr(unsafe.Pointer(&b[0]))
		}
	}
	r, _, errno := syscall.Syscall6(uintptr(nr), a[0], a[1], a[2], a[3], a[4], a[5])
	call := fmt.Sprintf("%s(%s)", args[0], strings.Join(args[1:], ", "))
	runtime.KeepAlive(keep) // the strings stay alive until the call returned
	if errno != 0 {
		fmt.Printf("%s = -1 %s (%v)\n", call, unix.ErrnoName(errno), errno)
		return 1
	}
	fmt.Printf("%s = %#x\n", call, r)
	return 0
}
