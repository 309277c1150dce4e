package procx

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Status explains how a process ended.
//
// Exactly one of Exited and Signaled is true for a process that ended. When
// Exited, Code is the value the process passed to exit(2). When Signaled,
// Signal is the signal that killed it, SignalName its name ("SIGKILL"),
// Code is -1, and CoreDumped says whether the kernel wrote a core file
// (which needs RLIMIT_CORE above zero and a core_pattern that accepts it).
//
// UserTime and SystemTime are CPU time spent by the process (and by any
// children it waited for); MaxRSS is its peak resident set size in bytes,
// as getrusage(2) reports it. They are zero when no rusage was available.
type Status struct {
	Pid        int
	Exited     bool
	Code       int
	Signaled   bool
	Signal     syscall.Signal
	SignalName string
	CoreDumped bool
	UserTime   time.Duration
	SystemTime time.Duration
	MaxRSS     int64
}

// Success reports whether the process exited with code 0.
func (s Status) Success() bool { return s.Exited && s.Code == 0 }

// String describes the status in one line, such as "exit code 3" or
// "killed by SIGSEGV (core dumped)".
func (s Status) String() string {
	var b strings.Builder
	switch {
	case s.Exited:
		fmt.Fprintf(&b, "exit code %d", s.Code)
	case s.Signaled:
		fmt.Fprintf(&b, "killed by %s", s.SignalName)
		if s.CoreDumped {
			b.WriteString(" (core dumped)")
		}
	default:
		b.WriteString("not ended")
	}
	return b.String()
}

// Usage describes the resources used, such as
// "user 1.2ms, system 800µs, max RSS 3.1 MiB".
func (s Status) Usage() string {
	return fmt.Sprintf("user %v, system %v, max RSS %.1f MiB",
		s.UserTime, s.SystemTime, float64(s.MaxRSS)/(1<<20))
}

// SignalName returns the conventional name of sig, such as "SIGTERM", or
// "signal N" for a number without a name.
func SignalName(sig syscall.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// FromWaitStatus decodes a raw wait status and an optional rusage, as
// returned by wait4(2), for process pid.
func FromWaitStatus(pid int, ws syscall.WaitStatus, ru *syscall.Rusage) Status {
	s := Status{Pid: pid, Code: -1}
	switch {
	case ws.Exited():
		s.Exited = true
		s.Code = ws.ExitStatus()
	case ws.Signaled():
		s.Signaled = true
		s.Signal = ws.Signal()
		s.SignalName = SignalName(s.Signal)
		s.CoreDumped = ws.CoreDump()
	}
	if ru != nil {
		s.UserTime = time.Duration(ru.Utime.Nano())
		s.SystemTime = time.Duration(ru.Stime.Nano())
		s.MaxRSS = ru.Maxrss * 1024 // Linux reports kilobytes
	}
	return s
}

// StatusOf explains an *os.ProcessState, as left in exec.Cmd.ProcessState
// after Wait. When ps is nil (the process never started) it returns a
// Status that is neither Exited nor Signaled, with Pid 0 and Code -1.
func StatusOf(ps *os.ProcessState) Status {
	if ps == nil {
		return Status{Code: -1}
	}
	ws, _ := ps.Sys().(syscall.WaitStatus)
	ru, _ := ps.SysUsage().(*syscall.Rusage)
	return FromWaitStatus(ps.Pid(), ws, ru)
}

// ExitStatus extracts the status carried by an error from exec.Cmd's Run,
// Wait or Output (an *exec.ExitError, possibly wrapped). It reports false
// when err carries no exit status, for example when the program could not
// be started at all.
func ExitStatus(err error) (Status, bool) {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return Status{}, false
	}
	return StatusOf(ee.ProcessState), true
}
