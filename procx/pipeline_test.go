package procx_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/deferio/deferio/procx"
)

func mustCommand(t *testing.T, ctx context.Context, argv ...string) *exec.Cmd {
	t.Helper()
	c, err := procx.Command(ctx, argv)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPipeline(t *testing.T) {
	ctx := context.Background()
	a := mustCommand(t, ctx, "printf", "b\\na\\nc\\n")
	b := mustCommand(t, ctx, "sort")
	c := mustCommand(t, ctx, "head", "-n", "1")
	out := procx.NewCapture(100)
	c.Stdout = out
	sts, err := procx.Pipeline(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "a\n" || len(sts) != 3 {
		t.Errorf("output %q, %d statuses", out, len(sts))
	}
	for i, s := range sts {
		if !s.Success() || s.Pid == 0 {
			t.Errorf("stage %d: %+v", i+1, s)
		}
	}
}

// "yes | head -n 1": head exits after one line, and yes, writing to a pipe
// with no reader, is killed by SIGPIPE. Every status is reported.
func TestPipelineSIGPIPE(t *testing.T) {
	ctx := context.Background()
	yes := mustCommand(t, ctx, "yes")
	head := mustCommand(t, ctx, "head", "-n", "1")
	out := procx.NewCapture(100)
	head.Stdout = out
	sts, err := procx.Pipeline(yes, head)
	var se *procx.StageError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *StageError", err)
	}
	if len(se.Failed) != 1 || se.Failed[0] != 0 {
		t.Errorf("failed stages %v, want [0]", se.Failed)
	}
	if sts[0].Signal != syscall.SIGPIPE || !sts[1].Success() || out.String() != "y\n" {
		t.Errorf("statuses %v, output %q", sts, out)
	}
	if !strings.Contains(err.Error(), "stage 1 (yes) killed by SIGPIPE") {
		t.Errorf("error %q does not name the stage", err)
	}
}

func TestPipelineExitCodes(t *testing.T) {
	ctx := context.Background()
	sts, err := procx.Pipeline(
		mustCommand(t, ctx, "sh", "-c", "exit 3"),
		mustCommand(t, ctx, "cat"),
		mustCommand(t, ctx, "sh", "-c", "cat >/dev/null; exit 5"),
	)
	if err == nil {
		t.Fatal("want an error")
	}
	if sts[0].Code != 3 || sts[1].Code != 0 || sts[2].Code != 5 {
		t.Errorf("codes %d %d %d", sts[0].Code, sts[1].Code, sts[2].Code)
	}
	want := "pipeline failed: stage 1 (sh) exit code 3; stage 3 (sh) exit code 5"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestPipelineBadInput(t *testing.T) {
	ctx := context.Background()
	if _, err := procx.Pipeline(); err == nil {
		t.Error("empty pipeline accepted")
	}
	if _, err := procx.Pipeline(nil); err == nil {
		t.Error("nil stage accepted")
	}
	a := mustCommand(t, ctx, "true")
	a.Stdout = procx.NewCapture(1)
	if _, err := procx.Pipeline(a, mustCommand(t, ctx, "true")); err == nil || !strings.Contains(err.Error(), "own Stdout") {
		t.Errorf("stage with Stdout: %v", err)
	}
	// A stage that cannot start: the first is killed and waited for.
	mark := marker(t)
	first := mustCommand(t, ctx, "sleep", "100")
	first.Env = withMarker(mark)
	bad := exec.Command("/nonexistent/prog")
	fds := openFDs(t)
	_, err := procx.Pipeline(first, bad)
	if err == nil || !strings.Contains(err.Error(), "unable to start stage 2") {
		t.Errorf("err = %v", err)
	}
	if first.ProcessState == nil || procx.StatusOf(first.ProcessState).Signal != syscall.SIGKILL {
		t.Errorf("first stage not killed and waited: %v", first.ProcessState)
	}
	if n := openFDs(t); n != fds {
		t.Errorf("%d fds open, %d before: pipe ends leaked", n, fds)
	}
	if left := marked(t, mark); len(left) > 0 {
		t.Errorf("left behind %v", left)
	}
}

func TestPipelineCancel(t *testing.T) {
	mark := marker(t)
	ctx, cancel := context.WithCancel(context.Background())
	a := mustCommand(t, ctx, "sh", "-c", "sleep 100 & yes")
	b := mustCommand(t, ctx, "sh", "-c", "cat >/dev/null")
	a.Env, b.Env = withMarker(mark), withMarker(mark)
	done := make(chan error, 1)
	go func() {
		_, err := procx.Pipeline(a, b)
		done <- err
	}()
	cancel()
	if err := <-done; err == nil {
		t.Error("cancelled pipeline succeeded")
	}
	if left := waitGone(t, mark); len(left) > 0 {
		t.Errorf("left behind %v", left)
	}
}
