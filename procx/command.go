package procx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// DefaultWaitDelay is how long Wait keeps reading a command's output pipes
// after the context is done or the process has exited, before it closes
// them. It bounds the hang that a grandchild holding the pipes would cause.
const DefaultWaitDelay = 500 * time.Millisecond

// ErrEmptyArgv is returned when a command has no program name.
var ErrEmptyArgv = errors.New("empty argv: a command needs at least a program name")

// An Option changes how [Command] sets up a command.
type Option func(*options)

type options struct {
	keepTerminal bool
	signal       syscall.Signal
	waitDelay    time.Duration
}

// KeepTerminal leaves the child in the caller's process group, so an
// interactive program (a shell, an editor, anything that reads the
// terminal) still owns the terminal: it can read from it without being
// stopped by SIGTTIN, and Ctrl-C reaches it.
//
// The trade-off: without a group of its own, cancellation can only signal
// the child itself, so grandchildren it started survive a timeout and may
// keep the output pipes open until WaitDelay expires. Use it for programs
// a person drives, not for programs that fork workers.
func KeepTerminal() Option { return func(o *options) { o.keepTerminal = true } }

// CancelSignal sets the signal sent when the context is done (SIGKILL by
// default). A gentler signal such as SIGTERM lets the program clean up;
// WaitDelay later still kills the child with SIGKILL if it ignores it.
func CancelSignal(sig syscall.Signal) Option { return func(o *options) { o.signal = sig } }

// WaitDelay sets Cmd.WaitDelay (default [DefaultWaitDelay]). Zero means
// Wait reads the output pipes until every holder closes them, however long
// that takes.
func WaitDelay(d time.Duration) Option { return func(o *options) { o.waitDelay = d } }

// Command returns an *exec.Cmd that runs argv and ends with its whole
// process tree when ctx is done.
//
// The program argv[0] is looked up like exec.LookPath does, and a failure
// is returned now rather than from Start: a missing program, a program
// found only through a relative PATH entry (exec.ErrDot, which Go refuses
// since 1.19), or an empty argv ([ErrEmptyArgv]) each give an error that
// says which.
//
// Unless [KeepTerminal] is given, the child starts in a new process group
// (SysProcAttr.Setpgid) and Cmd.Cancel signals the whole group (kill(-pgid)),
// so grandchildren die with it. Cmd.WaitDelay is set, so once the context
// is done or the child has exited, Wait stops waiting for pipes that some
// survivor still holds. The caller may set Stdin, Stdout, Stderr, Dir and Env
// before starting it, and must not replace SysProcAttr (change its fields
// instead).
func Command(ctx context.Context, argv []string, opts ...Option) (*exec.Cmd, error) {
	if ctx == nil {
		return nil, errors.New("unable to make a command: nil context")
	}
	o, path, err := prepare(argv, opts)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, argv[1:]...)
	o.setup(cmd, argv)
	cmd.Cancel = func() error { return o.signalTree(cmd, o.signal) }
	return cmd, nil
}

// prepare checks argv and the options and finds the program.
func prepare(argv []string, opts []Option) (options, string, error) {
	if len(argv) == 0 || argv[0] == "" {
		return options{}, "", ErrEmptyArgv
	}
	for i, a := range argv {
		if strings.IndexByte(a, 0) >= 0 {
			return options{}, "", fmt.Errorf("unable to run %q: argument %d contains a NUL byte", argv[0], i)
		}
	}
	o := options{signal: syscall.SIGKILL, waitDelay: DefaultWaitDelay}
	for _, opt := range opts {
		opt(&o)
	}
	if o.signal <= 0 || o.signal > 64 {
		return options{}, "", fmt.Errorf("unable to run %q: %d is not a signal", argv[0], int(o.signal))
	}
	if o.waitDelay < 0 {
		return options{}, "", fmt.Errorf("unable to run %q: negative wait delay %v", argv[0], o.waitDelay)
	}
	path, err := LookPath(argv[0])
	if err != nil {
		return options{}, "", err
	}
	return o, path, nil
}

// setup applies the options to a new command.
func (o options) setup(cmd *exec.Cmd, argv []string) {
	cmd.Args[0] = argv[0]
	cmd.Err = nil // the lookup in prepare already decided; exec.ErrDot was refused there
	cmd.WaitDelay = o.waitDelay
	if !o.keepTerminal {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
}

// signalTree sends sig to the command's process group, or to the process
// alone with KeepTerminal.
func (o options) signalTree(cmd *exec.Cmd, sig syscall.Signal) error {
	if o.keepTerminal {
		return cmd.Process.Signal(sig)
	}
	return killGroup(cmd.Process, sig)
}

// killGroup signals the process group led by p. The group's ID is the
// child's PID because the child was started with Setpgid and Pgid 0. It
// returns os.ErrProcessDone when the group no longer exists, which tells
// exec.Cmd that cancellation raced with a normal exit.
//
// A group has no pidfd, so this is the one signal procx sends by number.
// It is safe while any member lives (the ID stays taken). Once the leader
// has been reaped and every member is gone, the ID could in principle be
// reused by a new group leader before the signal is sent; os/exec's own
// Cancel has the same window between Process.Wait and its context check,
// and reusing it needs the PID counter to wrap around in between.
func killGroup(p *os.Process, sig syscall.Signal) error {
	err := syscall.Kill(-p.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	if err != nil {
		return fmt.Errorf("unable to send %s to process group %d: %w", SignalName(sig), p.Pid, err)
	}
	return nil
}

// LookPath finds a program like exec.LookPath, with errors that say what
// to do: a name containing a slash is used as is (and must be an
// executable file); a bare name is searched in $PATH; a match found only
// through a relative PATH entry such as "." or "bin" is refused with an
// error wrapping exec.ErrDot, as os/exec does since Go 1.19, because the
// program that would run depends on the current directory.
func LookPath(name string) (string, error) {
	if name == "" {
		return "", ErrEmptyArgv
	}
	path, err := exec.LookPath(name)
	switch {
	case err == nil:
		return path, nil
	case errors.Is(err, exec.ErrDot):
		return "", fmt.Errorf("unable to run %q: found as %q through a relative PATH entry, which Go refuses (give an explicit path such as ./%s to mean it): %w", name, path, name, err)
	case errors.Is(err, exec.ErrNotFound):
		return "", fmt.Errorf("unable to run %q: no such program in PATH: %w", name, err)
	default:
		return "", fmt.Errorf("unable to run %q: %w", name, err)
	}
}
