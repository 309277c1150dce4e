package container

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/deferio/deferio/procx"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// AnnotationInit is the config.json annotation that asks for a reaping
// init ([Config.Init]) when its value is "true" (nsinit reads it when it
// loads a bundle).
const AnnotationInit = "org.deferio.init"

// initForward is what a reaping init forwards to the program: procx's
// default set (the signals that ask a program to stop, reload or resize)
// and SIGALRM and SIGPWR. Other signals reach init's own Go runtime.
var initForward = append(append([]os.Signal(nil), procx.DefaultForward...), syscall.SIGALRM, syscall.SIGPWR)

// runReaper is the end of a reaping init (Config.Init): instead of
// executing the program, init stays as the container's PID 1 and runs the
// program as its child with a [procx.Reaper], like docker run --init
// (tini). What it does:
//
//   - The program is found in its own PATH as execve mode finds it; an
//     error before the program runs (no such program, not executable)
//     comes back over the socket as execve errors do, so the parent
//     reports it the same way.
//   - Once the program runs, init closes its end of the socket: the
//     parent's EOF then means "the program runs", as execve's close-on-exec
//     does in execve mode.
//   - Signals of [initForward] sent to init (nsinit kill, a container's
//     SIGTERM to PID 1) are forwarded to the program. Without a reaping
//     init the program itself is PID 1, and the kernel drops every signal
//     it has no handler for, SIGTERM included.
//   - Every child that exits is reaped, orphans re-parented to init
//     included, so no zombie piles up.
//   - When the program exits, init exits at once with its status
//     (WaitOrphans is off): the exit code, or 128+N when signal N killed
//     it, as tini does (PID 1 cannot re-raise the signal: the kernel
//     ignores a fatal signal PID 1 sends itself). In a new PID namespace
//     the kernel then kills every process left in it; without one, init is
//     a child subreaper and what is left is killed with the cgroup when
//     the container is deleted.
//
// Init runs with the program's credentials, rlimits and working directory
// (setupProcess ran before), but the capability sets and no_new_privs
// apply only to the locked thread that forks the program, so init marks
// itself non-dumpable: no process of the container can ptrace it or open
// its memory, whatever uid it runs as. The runtime binary init runs is
// sealed (see sealedSelf), so /proc/1/exe cannot be rewritten either.
//
// It returns only an error from before the program started; afterwards it
// exits the process.
func runReaper(sock *os.File, start *startReport, p *specs.Process, pdeathsig int) error {
	if err := closeExecFrom(3); err != nil {
		return fmt.Errorf("unable to mark descriptors close-on-exec: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("unable to make init non-dumpable: %w", err)
	}
	if err := setPdeathsig(pdeathsig); err != nil {
		return err
	}
	path, err := lookPath(p.Args[0], p.Env)
	if err != nil {
		return err
	}
	// The Reaper looks a bare argv[0] up in init's own PATH: give it
	// exactly the directory found, so that the program keeps its argv[0].
	if err := os.Setenv("PATH", filepath.Dir(path)); err != nil {
		return fmt.Errorf("unable to set init's PATH: %w", err)
	}
	attr := &os.ProcAttr{
		Env:   p.Env,
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
		// The program dies with init even without a PID namespace.
		Sys: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	}
	if p.Terminal {
		// The program's own process group is the terminal's foreground
		// one, so that the keyboard's signals (Ctrl-C) reach it once,
		// not also through init.
		attr.Sys.Setpgid, attr.Sys.Foreground, attr.Sys.Ctty = true, true, 0
	}
	started := false
	r := &procx.Reaper{
		Signals:   initForward,
		Subreaper: os.Getpid() != 1,
		OnStart: func(int) {
			started = true
			sock.Close() // the parent reads EOF: the program runs
			start.ran()  // and so does start, on the FIFO
		},
	}
	if err := seccompBeforeExec(); err != nil {
		return err
	}
	// Run forks from this goroutine's locked thread, the one whose
	// capabilities and no_new_privs setupProcess set.
	st, err := r.Run(context.Background(), p.Args, attr)
	if err != nil && !started {
		return err
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "init: %v\n", err)
		os.Exit(1)
	}
	os.Exit(reaperExitCode(st))
	return nil
}

// reaperExitCode is init's exit status for the program's: its exit code,
// or 128+N when signal N killed it.
func reaperExitCode(st procx.Status) int {
	if st.Signaled {
		return 128 + int(st.Signal)
	}
	return st.Code
}

// Zombies lists (host pids) the container's processes that have exited
// but were not waited for by their parent in the container, as
// [procx.Zombies] finds them. Under a program that never calls wait as
// PID 1, an orphan's zombie stays until the container ends; with
// [Config.Init] init reaps it.
func (c *Container) Zombies() ([]int, error) {
	pids, err := c.Processes()
	if err != nil {
		return nil, err
	}
	return procx.Zombies(pids)
}
