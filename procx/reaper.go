package procx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// DefaultForward is the set of signals a [Reaper] forwards to its main
// child when Reaper.Signals is nil: the ones a supervisor or a terminal
// sends to ask a program to stop, reload or resize.
var DefaultForward = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGCONT,
}

// A Reaper is the loop a PID 1 runs: it starts one main child, reaps every
// child of this process as it exits (including orphans the kernel
// re-parents to it), forwards signals to the main child, and returns the
// main child's status when the main child exits.
//
// Why a PID 1 needs one: when a process dies, its children are re-parented
// to the init of its PID namespace (or to the nearest subreaper); if init
// never calls wait, they stay zombies forever. And the kernel delivers to a
// namespace's PID 1 only the signals it has a handler for, so an init that
// does not catch and forward SIGTERM makes "docker stop" wait for SIGKILL.
// Run installs handlers (os/signal) for every forwarded signal.
//
// To use it as the init of a new PID namespace, start this program with
// SysProcAttr.Cloneflags including CLONE_NEWPID (or under unshare
// --pid --fork) and call Run from it: Getpid() is then 1. When Run returns
// and PID 1 exits, the kernel kills every process left in the namespace.
//
// Run owns every child of the process while it runs: it calls wait4(-1),
// so it must not run beside other code that starts and waits for children
// (an exec.Cmd's Wait would fail with ECHILD, its status stolen).
type Reaper struct {
	// Signals are forwarded to the main child. Nil means DefaultForward;
	// an empty non-nil slice forwards nothing. SIGCHLD, SIGKILL and
	// SIGSTOP cannot be forwarded.
	Signals []os.Signal
	// Subreaper marks this process as a child subreaper
	// (prctl(PR_SET_CHILD_SUBREAPER)), so orphans below it are re-parented
	// to it even when it is not PID 1. The mark stays after Run returns.
	Subreaper bool
	// OnStart, if set, is called with the main child's PID once it runs.
	OnStart func(pid int)
	// OnReap, if set, is called for every child reaped, the main child
	// included, on the goroutine that called Run.
	OnReap func(Status)
}

// Reap runs argv as the main child of a Reaper with the default settings.
func Reap(ctx context.Context, argv []string, attr *os.ProcAttr) (Status, error) {
	var r Reaper
	return r.Run(ctx, argv, attr)
}

// Run starts argv with os.StartProcess and attr (nil means: inherit this
// process's stdin, stdout, stderr and environment) and reaps until the main
// child has exited. argv[0] without a slash is looked up in $PATH like
// [LookPath].
//
// When ctx is done, the main child is sent SIGKILL and Run still waits for
// it, then returns its status with ctx.Err(). Otherwise the error is nil
// whenever the main child ran, whatever its exit status: the Status says
// how it ended.
func (r *Reaper) Run(ctx context.Context, argv []string, attr *os.ProcAttr) (Status, error) {
	if len(argv) == 0 || argv[0] == "" {
		return Status{}, ErrEmptyArgv
	}
	forward := r.Signals
	if forward == nil {
		forward = DefaultForward
	}
	for _, s := range forward {
		if s == syscall.SIGCHLD || s == syscall.SIGKILL || s == syscall.SIGSTOP {
			return Status{}, fmt.Errorf("unable to reap: cannot forward %v", s)
		}
	}
	path, err := LookPath(argv[0])
	if err != nil {
		return Status{}, err
	}
	if attr == nil {
		attr = &os.ProcAttr{Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}}
	}
	if r.Subreaper {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			return Status{}, fmt.Errorf("unable to become a child subreaper: %w", err)
		}
	}

	// Listen before starting, so no SIGCHLD or forwarded signal is missed.
	sigc := make(chan os.Signal, 32)
	signal.Notify(sigc, append([]os.Signal{syscall.SIGCHLD}, forward...)...)
	defer signal.Stop(sigc)

	p, err := os.StartProcess(path, argv, attr)
	if err != nil {
		return Status{}, fmt.Errorf("unable to start %q: %w", argv[0], err)
	}
	// p holds a pidfd on Linux; Signal uses it, so a forwarded signal can
	// never reach a recycled PID. Release closes it once p is reaped.
	defer p.Release()
	if r.OnStart != nil {
		r.OnStart(p.Pid)
	}

	var ctxErr error
	done := ctx.Done()
	for {
		main, ok, err := r.reapAll(p.Pid)
		if err != nil {
			// Only ECHILD is possible, meaning the main child was
			// reaped by someone else.
			return Status{}, fmt.Errorf("unable to wait for %q (pid %d): %w", argv[0], p.Pid, err)
		}
		if ok {
			return main, ctxErr
		}
		select {
		case s := <-sigc:
			if s == syscall.SIGCHLD {
				continue
			}
			// ESRCH here means the child exited; the next reapAll sees it.
			_ = p.Signal(s)
		case <-done:
			ctxErr = ctx.Err()
			done = nil
			_ = p.Kill()
		}
	}
}

// reapAll reaps every child that has exited, without blocking. It reports
// the main child's status once it is among them; it then goes on reaping
// the zombies the main child left, which the kernel re-parented here
// before the main child itself became a zombie.
func (r *Reaper) reapAll(mainPid int) (Status, bool, error) {
	var main Status
	found := false
	for {
		var ws syscall.WaitStatus
		var ru syscall.Rusage
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, &ru)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if errors.Is(err, syscall.ECHILD) {
			if found {
				return main, true, nil
			}
			return Status{}, false, err
		}
		if err != nil {
			return Status{}, false, err
		}
		if pid == 0 {
			return main, found, nil
		}
		st := FromWaitStatus(pid, ws, &ru)
		if pid == mainPid {
			main, found = st, true
		}
		if r.OnReap != nil {
			r.OnReap(st)
		}
	}
}
