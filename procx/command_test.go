package procx_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/procx"
)

func TestCommandBadInput(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		argv []string
		want string
		is   error
	}{
		{"nil argv", nil, "empty argv", procx.ErrEmptyArgv},
		{"empty name", []string{""}, "empty argv", procx.ErrEmptyArgv},
		{"missing binary", []string{"no-such-program-procx"}, `unable to run "no-such-program-procx": no such program in PATH`, exec.ErrNotFound},
		{"missing path", []string{"/nonexistent/prog"}, `unable to run "/nonexistent/prog"`, os.ErrNotExist},
		{"NUL in argument", []string{"echo", "a\x00b"}, "argument 1 contains a NUL byte", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, err := procx.Command(ctx, tt.argv)
			if err == nil {
				t.Fatalf("Command(%q) = %v, want an error", tt.argv, cmd)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
		})
	}
	if _, err := procx.Command(ctx, []string{"true"}, procx.CancelSignal(0)); err == nil || !strings.Contains(err.Error(), "not a signal") {
		t.Errorf("signal 0: err = %v, want 'not a signal'", err)
	}
	if _, err := procx.Command(ctx, []string{"true"}, procx.WaitDelay(-time.Second)); err == nil || !strings.Contains(err.Error(), "negative wait delay") {
		t.Errorf("negative delay: err = %v", err)
	}
}

// A program found only through a relative PATH entry is refused, as
// exec.LookPath does since Go 1.19, with an error that says so.
func TestCommandRelativePATHEntry(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "procx-dot-prog")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\necho ran\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("PATH", ".:/usr/bin:/bin")
	_, err := procx.Command(context.Background(), []string{"procx-dot-prog"})
	if !errors.Is(err, exec.ErrDot) {
		t.Fatalf("err = %v, want exec.ErrDot", err)
	}
	if !strings.Contains(err.Error(), "relative PATH entry") {
		t.Errorf("error %q does not explain the relative PATH entry", err)
	}
	// An explicit path is what the error suggests, and it works.
	res, err := procx.Output(context.Background(), []string{"./procx-dot-prog"}, 100)
	if err != nil || res.Stdout.String() != "ran\n" {
		t.Errorf("./procx-dot-prog: %q, %v", res.Stdout.String(), err)
	}
}

// The acceptance case: ending the context of a shell whose background
// child holds the output pipe returns, and no process of the tree
// survives. The context is cancelled once both sleeps run, so the tree is
// really there to kill however slow the machine is; a timeout ends it
// through the same Cancel.
func TestCommandTimeoutKillsTree(t *testing.T) {
	mark := marker(t)
	defer killMarked(t, mark)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd, err := procx.Command(ctx, []string{"sh", "-c", "sleep 100 & sleep 100"})
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = withMarker(mark)
	out := procx.NewCapture(1024)
	cmd.Stdout, cmd.Stderr = out, out // a pipe the grandchild inherits
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := waitRunning(mark, "sleep", 2); err != nil {
		t.Error(err)
	}
	cancel()
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("Wait: %v, want the exit status of a killed process", err)
	}
	st := procx.StatusOf(cmd.ProcessState)
	if !st.Signaled || st.Signal != syscall.SIGKILL {
		t.Errorf("status %v, want killed by SIGKILL", st)
	}
	// kill(-pgid) has delivered SIGKILL to every member before it
	// returned; they may still be exiting, but none can survive.
	if left := waitGone(t, mark); len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
	}
}

// waitGone polls until no live process carries mark, or gives up after a
// generous bound and returns what is left. The bound is not an assertion
// about speed: SIGKILL cannot be ignored, so only a survivor takes long.
func waitGone(t *testing.T, mark string) []int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := marked(t, mark)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// With KeepTerminal the child stays in our process group, so cancelling
// reaches only the child: both sleeps it started survive. This is the
// trade-off KeepTerminal documents.
func TestKeepTerminalLeavesGrandchildren(t *testing.T) {
	mark := marker(t)
	defer killMarked(t, mark)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd, err := procx.Command(ctx, []string{"sh", "-c", "sleep 100 & sleep 100"}, procx.KeepTerminal())
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = withMarker(mark)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := waitRunning(mark, "sleep", 2); err != nil {
		t.Error(err)
	}
	cancel()
	if err := cmd.Wait(); err == nil {
		t.Fatal("Wait succeeded, want the shell killed")
	}
	if cmd.SysProcAttr != nil && cmd.SysProcAttr.Setpgid {
		t.Error("KeepTerminal set Setpgid")
	}
	left := marked(t, mark)
	if len(left) != 2 {
		t.Fatalf("left behind %v, want the two orphaned sleeps", left)
	}
	if pgid, _ := syscall.Getpgid(left[0]); pgid != syscall.Getpgrp() {
		t.Errorf("orphan's group %d, want ours %d", pgid, syscall.Getpgrp())
	}
}

// Without Setpgid and a group kill, exec.CommandContext alone kills only
// the shell; WaitDelay makes Wait return anyway, but the grandchild lives.
func TestCommandContextAloneLeavesOrphans(t *testing.T) {
	mark := marker(t)
	defer killMarked(t, mark)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", "sleep 100 & sleep 100")
	cmd.Env = withMarker(mark)
	cmd.WaitDelay = 200 * time.Millisecond
	cmd.Stdout = procx.NewCapture(10) // a pipe the grandchild holds
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := waitRunning(mark, "sleep", 2); err != nil {
		t.Error(err)
	}
	cancel()
	if err := cmd.Wait(); err == nil {
		t.Fatal("Wait succeeded, want the shell killed")
	}
	if left := marked(t, mark); len(left) != 2 {
		t.Errorf("left behind %v, want the two orphaned sleeps: the contrast with Command", left)
	}
}

func TestCancelSignalTERM(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd, err := procx.Command(ctx, []string{"sleep", "100"}, procx.CancelSignal(syscall.SIGTERM))
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cancel()
	_ = cmd.Wait()
	st := procx.StatusOf(cmd.ProcessState)
	if st.Signal != syscall.SIGTERM || st.SignalName != "SIGTERM" {
		t.Errorf("status %v, want killed by SIGTERM", st)
	}
}
