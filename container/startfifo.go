package container

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// What init writes on the exec FIFO once `start` opened it for reading:
// one byte ("start was asked"), then nothing until the program runs, when
// execve closes the write end (it is close-on-exec) and start reads EOF.
// If anything fails in between (a startContainer hook, the credentials,
// execve itself), init writes one line saying why before it exits: start
// learns it even when it is another runtime process than create, which
// has no socket to init.
const (
	fifoHookFailed = "hook "  // a startContainer hook failed
	fifoFailed     = "error " // anything else failed
	fifoMaxReport  = 64 << 10
)

// startReport is init's write end of the exec FIFO, from the moment start
// opened the FIFO until the program runs. A nil *startReport (no FIFO)
// does nothing.
type startReport struct{ f *os.File }

// awaitStart blocks until start opens the FIFO for reading (reopened
// through procFd, the host's /proc/self/fd taken before pivot_root),
// writes the byte start waits for, and runs the startContainer hooks. It
// returns the open write end, or nil when init has no FIFO.
func awaitStart(procFd int, fifo *os.File, cfg *initConfig) (*startReport, error) {
	if fifo == nil {
		return nil, nil
	}
	defer fifo.Close()
	fd, err := unix.Openat(procFd, strconv.Itoa(int(fifo.Fd())), unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("unable to open the exec FIFO: %w", err)
	}
	r := &startReport{os.NewFile(uintptr(fd), "exec-fifo")}
	if _, err := r.f.Write([]byte{'0'}); err != nil {
		r.f.Close()
		return nil, fmt.Errorf("unable to write to the exec FIFO: %w", err)
	}
	if err := runHooks(hookStartContainer, hooksOf(cfg.Spec, hookStartContainer), initHookState(cfg, Created)); err != nil {
		r.report(fifoHookFailed, err)
		return nil, err
	}
	return r, nil
}

// fail tells start why the program will not run (nothing when err is
// nil).
func (r *startReport) fail(err error) {
	if err != nil {
		r.report(fifoFailed, err)
	}
}

func (r *startReport) report(kind string, err error) {
	if r == nil || r.f == nil {
		return
	}
	r.f.Write([]byte(kind + strings.ReplaceAll(err.Error(), "\n", " ") + "\n"))
	r.ran()
}

// ran closes the write end: start reads EOF, which means the program
// runs. A reaping init calls it once its child started; execve does the
// same for a plain init.
func (r *startReport) ran() {
	if r != nil && r.f != nil {
		r.f.Close()
		r.f = nil
	}
}

// A startError is init's report, read from the FIFO, of a failure after
// start opened the FIFO and before the program ran.
type startError struct {
	hook bool // a startContainer hook failed
	text string
}

func (e *startError) Error() string { return e.text }

// awaitFifoByte waits until init writes its byte to the FIFO (fd, opened
// non-blocking), polling init's liveness so that it never hangs on a dead
// init.
func (c *Container) awaitFifoByte(fd int) error {
	buf := make([]byte, 1)
	for {
		n, err := unix.Read(fd, buf)
		if n == 1 {
			return nil
		}
		if err != nil && !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("unable to read the exec FIFO of %s: %w", c.ID(), err)
		}
		if !alive(c.state.Pid, c.state.PidStartTime) {
			// A fast program may have run and exited already: the byte
			// init wrote before execve is then still in the FIFO.
			if n, _ := unix.Read(fd, buf); n == 1 {
				return nil
			}
			if c.sock != nil {
				if m, _, err := recvMsg(c.sock); err == nil && m.Kind == msgError {
					return fmt.Errorf("unable to start %s: init: %s", c.ID(), m.Error)
				}
			}
			return fmt.Errorf("unable to start %s: its init exited", c.ID())
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		unix.Poll(pfd, 50)
		if pfd[0].Revents&unix.POLLHUP != 0 && pfd[0].Revents&unix.POLLIN == 0 {
			time.Sleep(time.Millisecond) // writer gone without writing: init failed
		}
	}
}

// awaitProgram reads what init writes after its byte, until EOF: nothing
// when the program runs, or a *startError saying why it will not. Init's
// write end closes when it executes the program or exits, so EOF always
// comes; a startContainer hook without a timeout may make it wait.
func (c *Container) awaitProgram(fd int) error {
	var got []byte
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(fd, buf)
		if n > 0 {
			if len(got) < fifoMaxReport {
				got = append(got, buf[:n]...)
			}
			continue
		}
		if n == 0 && err == nil {
			break // EOF
		}
		if !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("unable to read the exec FIFO of %s: %w", c.ID(), err)
		}
		unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 1000)
	}
	line := strings.TrimSuffix(string(got), "\n")
	switch {
	case line == "":
		return nil
	case strings.HasPrefix(line, fifoHookFailed):
		return &startError{hook: true, text: fmt.Sprintf("unable to start %s: %s", c.ID(), strings.TrimPrefix(line, fifoHookFailed))}
	default:
		return &startError{text: fmt.Sprintf("unable to start %s: init: %s", c.ID(), strings.TrimPrefix(line, fifoFailed))}
	}
}
