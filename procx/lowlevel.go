package procx

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ForkExec starts argv with syscall.ForkExec, the call under
// os.StartProcess and exec.Cmd: on Linux it is one clone with
// CLONE_VFORK|CLONE_VM (the parent is suspended, sharing its memory, until
// the child calls execve), then execve. path must name the executable
// (no $PATH search happens at this level); files become the child's
// descriptors 0, 1, 2, ...; env nil means an empty environment. The child
// must be waited for with [Wait4] (or syscall.Wait4), or it stays a zombie.
func ForkExec(path string, argv, env []string, files []uintptr) (int, error) {
	if len(argv) == 0 || argv[0] == "" {
		return 0, ErrEmptyArgv
	}
	if path == "" {
		return 0, fmt.Errorf("unable to fork/exec %q: empty path", argv[0])
	}
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{Env: env, Files: files})
	if err != nil {
		return 0, fmt.Errorf("unable to fork/exec %s: %w", path, err)
	}
	return pid, nil
}

// Wait4 waits for the child pid to end, with wait4(2), and returns its
// Status including the rusage the kernel reports. It retries on EINTR.
func Wait4(pid int) (Status, error) {
	if pid <= 0 {
		return Status{}, fmt.Errorf("unable to wait: %d is not a child's pid (wait4 gives 0 and -1 other meanings)", pid)
	}
	for {
		var ws syscall.WaitStatus
		var ru syscall.Rusage
		got, err := syscall.Wait4(pid, &ws, 0, &ru)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return Status{}, fmt.Errorf("unable to wait for pid %d: %w", pid, err)
		}
		return FromWaitStatus(got, ws, &ru), nil
	}
}

// PidFDInfo describes the pidfd behind an *os.Process, as the kernel shows
// it in /proc/self/fd and /proc/self/fdinfo.
type PidFDInfo struct {
	FD     int    // the descriptor number, valid only while the handle was held
	Target string // readlink of /proc/self/fd/FD: "anon_inode:[pidfd]"
	Pid    int    // the "Pid:" line of fdinfo: the process it refers to
}

// PidFD looks at the process handle behind p with Process.WithHandle (Go
// 1.26): on Linux 5.4 and later os.StartProcess keeps a pidfd for the
// child, and Signal, Wait and Kill use it, so they can never reach another
// process that reused the PID. It returns an error wrapping
// os.ErrNoHandle when p has no pidfd (older kernels, or p came from
// os.FindProcess on one).
func PidFD(p *os.Process) (PidFDInfo, error) {
	if p == nil {
		return PidFDInfo{}, errors.New("unable to read the pidfd: nil process")
	}
	var info PidFDInfo
	var inner error
	err := p.WithHandle(func(h uintptr) {
		info.FD = int(h)
		link, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", h))
		if err != nil {
			inner = fmt.Errorf("unable to read the link of fd %d: %w", h, err)
			return
		}
		info.Target = link
		info.Pid, inner = fdinfoPid(int(h))
	})
	if err != nil {
		return PidFDInfo{}, fmt.Errorf("unable to get the handle of pid %d: %w", p.Pid, err)
	}
	return info, inner
}

func fdinfoPid(fd int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
	if err != nil {
		return 0, fmt.Errorf("unable to read fdinfo of fd %d: %w", fd, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Pid:"); ok {
			pid, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return 0, fmt.Errorf("unable to parse %q in fdinfo of fd %d: %w", sc.Text(), fd, err)
			}
			return pid, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("unable to read fdinfo of fd %d: %w", fd, err)
	}
	return 0, fmt.Errorf("fd %d has no Pid: line in its fdinfo: not a pidfd", fd)
}
