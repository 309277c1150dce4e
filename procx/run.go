package procx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Run runs argv to completion with the process-tree cancellation of
// [Command], connecting the child's stdin, stdout and stderr to the given
// reader and writers (nil means /dev/null, as in exec.Cmd). It returns how
// the child ended; the error is nil only when it exited with code 0.
//
// Run does not use exec.CommandContext: exec's context watcher is a
// goroutine started for every command, which on a busy machine costs about
// 4% of spawning /bin/true (benchmarks/procbench). Run registers a
// context.AfterFunc instead, which costs nothing until the context is
// done. It then behaves as exec would: it signals the tree (SIGKILL by
// default, see [CancelSignal]); if that signal was not SIGKILL and the
// child is still running after the wait delay, it kills the tree with
// SIGKILL; pipes still held by a survivor are closed a wait delay after
// the child exits. If the child was signalled because of the context and
// still exited with code 0, the error is the context's.
func Run(ctx context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer, opts ...Option) (Status, error) {
	cmd, o, err := newCmd(ctx, argv, opts)
	if err != nil {
		return Status{}, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err = o.run(ctx, cmd)
	st := StatusOf(cmd.ProcessState)
	if err != nil {
		return st, fmt.Errorf("unable to run %q: %w", argv[0], err)
	}
	return st, nil
}

// newCmd is Command without a context: the caller runs it with o.run.
func newCmd(ctx context.Context, argv []string, opts []Option) (*exec.Cmd, options, error) {
	if ctx == nil {
		return nil, options{}, errors.New("unable to make a command: nil context")
	}
	o, path, err := prepare(argv, opts)
	if err != nil {
		return nil, options{}, err
	}
	cmd := exec.Command(path, argv[1:]...)
	o.setup(cmd, argv)
	return cmd, o, nil
}

// run starts and waits for cmd, made by newCmd, ending its tree when ctx
// is done.
func (o options) run(ctx context.Context, cmd *exec.Cmd) error {
	if err := ctx.Err(); err != nil {
		return err // as exec.Cmd.Start does with a done context
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var (
		mu        sync.Mutex
		waited    bool
		cancelled bool
		killer    *time.Timer
	)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if waited {
			return
		}
		if err := o.signalTree(cmd, o.signal); err == nil {
			cancelled = true
		}
		if o.signal != syscall.SIGKILL && o.waitDelay > 0 {
			killer = time.AfterFunc(o.waitDelay, func() {
				mu.Lock()
				defer mu.Unlock()
				if !waited {
					_ = o.signalTree(cmd, syscall.SIGKILL)
				}
			})
		}
	})
	err := cmd.Wait()
	stop()
	mu.Lock()
	waited = true
	if killer != nil {
		killer.Stop()
	}
	wasCancelled := cancelled
	mu.Unlock()
	if err == nil && wasCancelled {
		err = ctx.Err()
	}
	return err
}
