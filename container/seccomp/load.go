package seccomp

import (
	"fmt"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Load installs the filter with seccomp(2) on the calling thread (on every
// thread of the process with SECCOMP_FILTER_FLAG_TSYNC); execve(2) and
// fork(2) pass it on. The kernel loads a filter only for a thread that has
// no_new_privs set or CAP_SYS_ADMIN. Lock the goroutine to its thread
// first (runtime.LockOSThread) unless the filter has TSYNC.
func (f *Filter) Load() error {
	raw, err := bpf.Assemble(f.Instructions)
	if err != nil {
		return fmt.Errorf("unable to assemble the seccomp filter: %w", err)
	}
	if len(raw) == 0 || len(raw) > MaxInstructions {
		return fmt.Errorf("unable to load a seccomp filter of %d instructions", len(raw))
	}
	insns := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		insns[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	prog := unix.SockFprog{Len: uint16(len(insns)), Filter: &insns[0]}
	r, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(f.Flags), uintptr(unsafe.Pointer(&prog)))
	switch {
	case errno == unix.EACCES:
		return fmt.Errorf("unable to load the seccomp filter: %w (the thread has neither no_new_privs nor CAP_SYS_ADMIN)", errno)
	case errno != 0:
		return fmt.Errorf("unable to load the seccomp filter: %w", errno)
	case r != 0 && f.Flags&unix.SECCOMP_FILTER_FLAG_TSYNC != 0:
		return fmt.Errorf("unable to load the seccomp filter: thread %d could not be synchronized (TSYNC)", r)
	}
	return nil
}
