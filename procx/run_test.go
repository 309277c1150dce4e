package procx_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/procx"
)

func TestRunStdio(t *testing.T) {
	out := procx.NewCapture(100)
	st, err := procx.Run(context.Background(), []string{"tr", "a-z", "A-Z"}, strings.NewReader("shout\n"), out, nil)
	if err != nil || !st.Success() || out.String() != "SHOUT\n" {
		t.Errorf("%v %v %q", st, err, out)
	}
	if _, err := procx.Run(context.Background(), nil, nil, nil, nil); !errors.Is(err, procx.ErrEmptyArgv) {
		t.Errorf("empty argv: %v", err)
	}
	//lint:ignore SA1012 a nil context is the bad input under test
	if _, err := procx.Run(nil, []string{"true"}, nil, nil, nil); err == nil {
		t.Error("nil context accepted")
	}
}

// The acceptance case through Run: ending the context ends the whole
// tree. It is cancelled once both sleeps run, so that the shell has
// printed and started its children however slow the machine is.
func TestRunTimeoutKillsTree(t *testing.T) {
	mark := marker(t)
	defer killMarked(t, mark)
	k, v, _ := strings.Cut(mark, "=")
	t.Setenv(k, v)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watched := make(chan error, 1)
	go func() {
		err := waitRunning(mark, "sleep", 2)
		cancel()
		watched <- err
	}()
	res, err := procx.Output(ctx, []string{"sh", "-c", "echo started; sleep 100 & sleep 100"}, 100)
	if werr := <-watched; werr != nil {
		t.Error(werr)
	}
	if err == nil || res.Status.Signal != syscall.SIGKILL || res.Stdout.String() != "started\n" {
		t.Errorf("%v, %v, %q: want killed by SIGKILL after printing", res.Status, err, res.Stdout)
	}
	if left := waitGone(t, mark); len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
	}
}

// A tree that ignores the cancel signal is killed with SIGKILL once the
// wait delay has passed. The context is cancelled only once the shell
// says it ignores SIGTERM.
func TestRunEscalatesToSIGKILL(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := procx.NewLineWriter(0, func(procx.Line) { cancel() })
	// An ignored disposition survives exec, so sleep ignores TERM too.
	st, err := procx.Run(ctx, []string{"sh", "-c", "trap '' TERM; echo ready; sleep 100; exit 0"}, nil, ready, nil,
		procx.CancelSignal(syscall.SIGTERM), procx.WaitDelay(100*time.Millisecond))
	if err == nil || st.Signal != syscall.SIGKILL {
		t.Errorf("%v, %v: want killed by SIGKILL", st, err)
	}
}

// A program that handles the cancel signal and exits 0 still reports the
// context's error, as exec.Cmd does.
func TestRunCancelledButSuccessful(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started := procx.NewLineWriter(0, func(procx.Line) { cancel() })
	st, err := procx.Run(ctx, []string{"sh", "-c", "trap 'exit 0' TERM; echo ready; while :; do sleep 0.01; done"}, nil, started, nil,
		procx.CancelSignal(syscall.SIGTERM))
	if !st.Success() || !errors.Is(err, context.Canceled) {
		t.Errorf("%v, %v: want exit code 0 and context.Canceled", st, err)
	}
}

func TestRunDoneContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := procx.Run(ctx, []string{"true"}, nil, nil, nil)
	if !errors.Is(err, context.Canceled) || st.Pid != 0 {
		t.Errorf("%v, %v: want not started, context.Canceled", st, err)
	}
}
