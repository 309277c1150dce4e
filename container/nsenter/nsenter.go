//go:build linux && cgo

// Package nsenter joins existing namespaces before the Go runtime starts.
//
// Importing it links a C constructor (nsenter.c) into the binary. The
// constructor runs when the program starts, before the Go runtime creates
// its threads, and does nothing unless the environment variable
// _DEFERIO_NSENTER is set. When it is, it joins each namespace listed
// there with setns(2), which the kernel refuses (EINVAL) for a mount or user
// namespace once a process has more than one thread: a Go program cannot do
// this step in Go. Package container sets the variables when it re-executes
// its own binary to run a process inside a running container, as runc's
// nsexec does.
//
// The package needs cgo. Without cgo, [Available] is false and the
// container runtime reports that it cannot join namespaces.
package nsenter

/*
#cgo CFLAGS: -Wall -Wextra -Wno-unused-parameter
extern void deferio_nsenter(void);
static void __attribute__((constructor)) deferio_nsenter_init(void) { deferio_nsenter(); }
*/
import "C"

// Available reports whether the constructor is linked into this binary.
const Available = true
