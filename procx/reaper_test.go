package procx_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/deferio/deferio/internal/testenv"
	"github.com/deferio/deferio/procx"
)

// orphanArgv is a main child that leaves an orphan behind: the shell
// starts a child that exits 5, then execs the test binary as
// "zombie-parent", which never waits for that child and exits 7 once it
// is a zombie. The kernel then re-parents the zombie to the reaper, which
// must reap it: the orphan a PID 1 has to collect. (A shell would not do:
// it reaps its background jobs itself.)
func orphanArgv() []string {
	return []string{"sh", "-c", `sh -c "exit 5" & exec env ` + childEnv + `=zombie-parent "$0"`, os.Args[0]}
}

// startReaperChild re-executes the test binary in the given role.
func startReaperChild(t *testing.T, role string, argv []string, sys *syscall.SysProcAttr) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	b, _ := json.Marshal(argv)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// A race-enabled binary sleeps a second at exit (GORACE
	// atexit_sleep_ms) unless told not to; the reaper child and the
	// zombie parent are this binary.
	gorace := "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), childEnv+"="+role, "PROCX_TEST_ARGV="+string(b), gorace)
	cmd.SysProcAttr = sys
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("unable to start the reaper child: %v", err)
	}
	// If the test fails early, do not leave the child (and, through the
	// inherited stderr, go test) waiting.
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, bufio.NewReader(out)
}

// finish reads the child's report, then waits for it.
func finish(t *testing.T, cmd *exec.Cmd, r *bufio.Reader) reaperReport {
	t.Helper()
	var rep reaperReport
	var lines []string
	for {
		l, err := r.ReadString('\n')
		if l != "" {
			lines = append(lines, l)
		}
		if err != nil {
			break
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("reaper child: %v; printed %q", err, lines)
	}
	if len(lines) == 0 || json.Unmarshal([]byte(lines[len(lines)-1]), &rep) != nil {
		t.Fatalf("no report from the reaper child: %q", lines)
	}
	return rep
}

func checkOrphanReaped(t *testing.T, rep reaperReport) {
	t.Helper()
	if rep.Err != "" {
		t.Fatalf("Run: %s", rep.Err)
	}
	if rep.Main.Code != 7 {
		t.Errorf("main status %v, want exit code 7", rep.Main)
	}
	orphans := 0
	for _, s := range rep.Reaped {
		if s.Pid != rep.Main.Pid && s.Exited && s.Code == 5 {
			orphans++
		}
	}
	if orphans != 1 {
		t.Errorf("reaped %v: want the orphan that exited 5 among them", rep.Reaped)
	}
}

// As PID 1 of a new PID namespace (CLONE_NEWPID, as a container's init).
func TestReaperAsPID1(t *testing.T) {
	testenv.NeedRoot(t, "creates a PID namespace")
	sys := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS}
	cmd, r := startReaperChild(t, "reaper-pidns", orphanArgv(), sys)
	rep := finish(t, cmd, r)
	if rep.Pid != 1 {
		t.Errorf("the reaper ran as pid %d, want 1", rep.Pid)
	}
	checkOrphanReaped(t, rep)
}

// A signal sent to PID 1 from outside the namespace reaches the main child.
func TestReaperForwardsSignals(t *testing.T) {
	testenv.NeedRoot(t, "creates a PID namespace")
	sys := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS}
	cmd, r := startReaperChild(t, "reaper-pidns", []string{"sleep", "100"}, sys)
	line, err := r.ReadString('\n')
	if !strings.HasPrefix(line, "started ") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("reaper child said %q, %v", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rep := finish(t, cmd, r)
	if rep.Err != "" || !rep.Main.Signaled || rep.Main.Signal != syscall.SIGTERM {
		t.Errorf("main status %v (%s), want killed by SIGTERM", rep.Main, rep.Err)
	}
	// Not necessarily 2: the Go runtime's threads take PIDs too.
	if rep.Main.Pid <= 1 {
		t.Errorf("main child pid %d, want a PID of the new namespace above 1", rep.Main.Pid)
	}
}

// Without a PID namespace, PR_SET_CHILD_SUBREAPER makes orphans come to
// the reaper too. This needs no privilege.
func TestReaperAsSubreaper(t *testing.T) {
	cmd, r := startReaperChild(t, "reaper-sub", orphanArgv(), nil)
	rep := finish(t, cmd, r)
	if rep.Pid == 1 {
		t.Fatal("ran as pid 1")
	}
	checkOrphanReaped(t, rep)
}

func TestReaperBadInput(t *testing.T) {
	ctx := context.Background()
	if _, err := procx.Reap(ctx, nil, nil); !errors.Is(err, procx.ErrEmptyArgv) {
		t.Errorf("empty argv: %v", err)
	}
	if _, err := procx.Reap(ctx, []string{"no-such-program-procx"}, nil); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("missing program: %v", err)
	}
	r := procx.Reaper{Signals: []os.Signal{syscall.SIGCHLD}}
	if _, err := r.Run(ctx, []string{"true"}, nil); err == nil || !strings.Contains(err.Error(), "cannot forward") {
		t.Errorf("forwarding SIGCHLD: %v", err)
	}
}

// A signal sent to the reaper reaches the main child, here without a
// namespace: the main child signals its parent, which sends it back.
func TestReaperForwardsWithoutNamespace(t *testing.T) {
	cmd, r := startReaperChild(t, "reaper-sub", []string{"sh", "-c", "kill -TERM $PPID; exec sleep 100"}, nil)
	rep := finish(t, cmd, r)
	// The child sent SIGTERM to the reaper, which forwards it back.
	if !rep.Main.Signaled || rep.Main.Signal != syscall.SIGTERM {
		t.Errorf("main %v, want killed by the forwarded SIGTERM", rep.Main)
	}
}

// A context that ends kills the main child; Run still reaps it and
// returns its status with the context's error.
func TestReaperContext(t *testing.T) {
	t.Setenv("PROCX_TEST_TIMEOUT", "100ms")
	cmd, r := startReaperChild(t, "reaper-sub", []string{"sleep", "100"}, nil)
	rep := finish(t, cmd, r)
	if rep.Main.Signal != syscall.SIGKILL || !strings.Contains(rep.Err, "deadline exceeded") {
		t.Errorf("main %v, err %q: want killed by SIGKILL, deadline exceeded", rep.Main, rep.Err)
	}
}

// With WaitOrphans, Run returns only when no child is left: here an
// orphan that is still running when the main child exits.
func TestReaperWaitOrphans(t *testing.T) {
	argv := []string{"sh", "-c", "(sleep 0.2; exit 5) & exit 7"}
	cmd, r := startReaperChild(t, "reaper-sub-wait", argv, nil)
	rep := finish(t, cmd, r)
	checkOrphanReaped(t, rep)
}
