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
	// WaitOrphans makes Run, once the main child has exited, go on
	// reaping until this process has no child left, instead of returning
	// at once. Without it, children still running when Run returns are
	// not waited for: a PID 1 should then exit, and the kernel kills what
	// is left of its namespace; any other caller must wait for them.
	WaitOrphans bool
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
// it, then returns its status with ctx.Err() (with WaitOrphans, a context
// done after the main child exited stops the wait for orphans). Otherwise
// the error is nil whenever the main child ran, whatever its exit status:
// the Status says how it ended.
//
// A forwarded signal that came from the terminal (Ctrl-C) has usually
// reached the main child already, since it shares the terminal's
// foreground process group; the child then gets it twice.
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

	var (
		ctxErr   error
		main     Status
		mainDone bool
	)
	done := ctx.Done()
	for {
		st, found, none, err := r.reapAll(p.Pid)
		if err != nil {
			return main, fmt.Errorf("unable to wait for the children of pid %d: %w", os.Getpid(), err)
		}
		if found {
			main, mainDone = st, true
		}
		switch {
		case mainDone && (!r.WaitOrphans || none):
			return main, ctxErr
		case none:
			return Status{}, fmt.Errorf("unable to wait for %q (pid %d): it was reaped by someone else", argv[0], p.Pid)
		}
		select {
		case s := <-sigc:
			if s == syscall.SIGCHLD || mainDone {
				continue
			}
			// ESRCH here means the child exited; the next reapAll sees it.
			_ = p.Signal(s)
		case <-done:
			done = nil
			if mainDone {
				// Only orphans are left, and they are not ours to kill.
				return main, ctx.Err()
			}
			ctxErr = ctx.Err()
			_ = p.Kill()
		}
	}
}

// reapAll reaps every child that has exited, without blocking. It
// reports the main child's status if it was among them, and whether this
// process has no child left at all (ECHILD). After the main child it goes
// on reaping the zombies the main child left, which the kernel
// re-parented here before the main child itself became a zombie.
func (r *Reaper) reapAll(mainPid int) (main Status, found, none bool, err error) {
	for {
		var ws syscall.WaitStatus
		var ru syscall.Rusage
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, &ru)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.ECHILD):
			return main, found, true, nil
		case err != nil:
			return main, found, false, err
		case pid == 0:
			return main, found, false, nil
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
