package container

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/deferio/deferio/procx"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A Process is a program to run in a container: the container's first
// process (given to [Container.Start] or [Container.Run]) or one more
// (given to [Container.Exec]).
type Process struct {
	// Spec describes the process. For the first process it may be nil:
	// the container's configuration has one. For Exec it is required.
	Spec *specs.Process
	// Stdin, Stdout and Stderr are handed to the process as they are,
	// unless CountIO is set (they must be files so that they outlive the
	// runtime, as with a detached container); nil means /dev/null. They are ignored when
	// Spec.Terminal is set: the process gets a pty instead.
	Stdin, Stdout, Stderr *os.File
	// CountIO puts the runtime between the process and Stdin, Stdout and
	// Stderr: each non-nil one reaches the process through a pipe that
	// the runtime copies through an iox counting wrapper, and
	// [Process.IOCounts] reports the bytes moved. The copies live in the
	// runtime process that started the process, so a counted process
	// must be waited for there (not detached). Without CountIO the files
	// are handed over as they are, and nothing is copied.
	CountIO bool

	// Pid is the process's pid on the host, once started.
	Pid int
	// Console is the pty master when Spec.Terminal was set: what the
	// runtime reads is the process's output, what it writes is its input.
	Console *os.File

	cmd   *exec.Cmd
	relay *stdioRelay // the copies of CountIO, or nil
}

// Wait waits for the process to exit and returns its exit status: the
// exit code, or 128+N when signal N killed it. Only the runtime process
// that started it may wait for it; another one gets an error.
func (p *Process) Wait() (int, error) {
	st, err := p.WaitStatus()
	if err != nil {
		return -1, err
	}
	if st.Signaled {
		return 128 + int(st.Signal), nil
	}
	return st.Code, nil
}

// WaitStatus is Wait with the whole status, as package procx explains
// it: how the process ended (code, or signal and core dump) and what it
// used (CPU time, peak RSS), as wait4(2) reported them.
func (p *Process) WaitStatus() (procx.Status, error) {
	if p.cmd == nil || p.cmd.Process == nil {
		return procx.Status{Code: -1}, errors.New("unable to wait: the process was not started by this runtime process")
	}
	if p.cmd.ProcessState == nil {
		err := p.cmd.Wait()
		p.relay.wait()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return procx.Status{Code: -1}, fmt.Errorf("unable to wait for process %d: %w", p.Pid, err)
		}
	}
	return procx.StatusOf(p.cmd.ProcessState), nil
}

// Signal sends sig to the process.
func (p *Process) Signal(sig os.Signal) error {
	if p.Pid <= 0 {
		return errors.New("unable to signal: the process was not started")
	}
	s, ok := sig.(syscall.Signal)
	if !ok {
		return fmt.Errorf("unable to signal process %d: %v is not a syscall.Signal", p.Pid, sig)
	}
	if err := syscall.Kill(p.Pid, s); err != nil {
		return fmt.Errorf("unable to send %v to process %d: %w", sig, p.Pid, err)
	}
	return nil
}
