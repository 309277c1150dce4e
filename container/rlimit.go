package container

import (
	"fmt"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

var rlimitByName = map[string]int{
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_CPU": unix.RLIMIT_CPU,
	"RLIMIT_DATA": unix.RLIMIT_DATA, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE,
	"RLIMIT_NICE": unix.RLIMIT_NICE, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_NPROC": unix.RLIMIT_NPROC,
	"RLIMIT_RSS": unix.RLIMIT_RSS, "RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
	"RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING, "RLIMIT_STACK": unix.RLIMIT_STACK,
}

// setRlimits applies the process's resource limits. It goes through
// package syscall, not x/sys/unix: the Go runtime raises its own soft
// RLIMIT_NOFILE at startup and puts the original back at execve, unless
// syscall.Setrlimit was called for it, which tells it not to (Go 1.21+,
// syscall/rlimit.go). With unix.Prlimit the program would get the runtime's
// old soft limit instead of the configured one.
func setRlimits(limits []specs.POSIXRlimit) error {
	for _, r := range limits {
		res := rlimitByName[r.Type]
		lim := syscall.Rlimit{Cur: r.Soft, Max: r.Hard}
		if err := syscall.Setrlimit(res, &lim); err != nil {
			return fmt.Errorf("unable to set %s to soft %d hard %d: %w", r.Type, r.Soft, r.Hard, err)
		}
	}
	return nil
}
