package criu

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/internal/testenv"
)

// requireCriu skips without root or criu, or fails under CI=true.
func requireCriu(t *testing.T) string {
	t.Helper()
	testenv.NeedRoot(t, "runs CRIU")
	return testenv.NeedCommand(t, "criu", "criu")
}

// rawCheck runs `criu check` directly: the ground truth Check must match.
func rawCheck(t *testing.T, path string) (string, bool) {
	t.Helper()
	out, err := exec.Command(path, "check").CombinedOutput()
	return strings.TrimSpace(string(out)), err == nil && bytes.Contains(out, []byte("Looks good"))
}

func TestCheckReportsCriusOwnMessage(t *testing.T) {
	path := requireCriu(t)
	raw, ok := rawCheck(t, path)
	err := Check()
	if ok {
		if err != nil {
			t.Fatalf("criu check passes, but Check() = %v", err)
		}
		return
	}
	t.Logf("criu check fails here:\n%s", raw)
	if !errors.Is(err, ErrCheckFailed) {
		t.Fatalf("Check() = %v, want ErrCheckFailed", err)
	}
	for _, line := range strings.Split(raw, "\n") {
		if !strings.Contains(err.Error(), strings.TrimSpace(line)) {
			t.Errorf("Check()'s error lacks CRIU's line %q:\n%v", line, err)
		}
	}
}

func TestCheckWithoutCriu(t *testing.T) {
	err := CheckContext(t.Context(), Options{CriuPath: "/nonexistent/criu"})
	if !errors.Is(err, exec.ErrNotFound) && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Check with a missing binary = %v, want not found", err)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "images")
	for _, pid := range []int{0, -1, 1 << 30} {
		err := Checkpoint(pid, dir, Options{})
		if err == nil || !strings.Contains(err.Error(), "pid") && !strings.Contains(err.Error(), "no such process") {
			t.Errorf("Checkpoint(%d) = %v", pid, err)
		}
	}
	if err := Checkpoint(os.Getpid(), "", Options{}); err == nil || !strings.Contains(err.Error(), "empty image path") {
		t.Errorf("Checkpoint(empty path) = %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a rejected Checkpoint created %s", dir)
	}
	if _, err := Restore("", Options{}); err == nil {
		t.Error("Restore(\"\") succeeded")
	}
	if _, err := Restore(t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), "not a CRIU image directory") {
		t.Errorf("Restore(empty dir) = %v", err)
	}
}

// TestCheckpointFailureIsClear dumps a process CRIU must refuse: one
// holding a unix socket connected to a process outside its tree, without
// ExternalUnixSockets. Where `criu check` fails (this project's machines:
// vdso), the error carries that message instead. Either way the error
// quotes CRIU's log and the process keeps running.
func TestCheckpointFailureIsClear(t *testing.T) {
	path := requireCriu(t)
	raw, checkOK := rawCheck(t, path)
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "ours"), os.NewFile(uintptr(fds[1]), "theirs")
	defer ours.Close()
	cmd := exec.Command("sleep", "100")
	cmd.ExtraFiles = []*os.File{theirs}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	theirs.Close()
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	images := t.TempDir()
	err = Checkpoint(cmd.Process.Pid, images, Options{})
	if err == nil {
		t.Fatal("Checkpoint of a process with an external unix socket succeeded")
	}
	t.Logf("the error:\n%v", err)
	if !strings.Contains(err.Error(), "CRIU's log ("+filepath.Join(images, dumpLog)+")") || !strings.Contains(err.Error(), "Error") {
		t.Errorf("error does not quote CRIU's log errors:\n%v", err)
	}
	if !checkOK {
		if !errors.Is(err, ErrCheckFailed) {
			t.Errorf("criu check fails here but the error does not wrap ErrCheckFailed")
		}
		first := strings.Split(raw, "\n")[0]
		if !strings.Contains(err.Error(), first) {
			t.Errorf("error lacks criu check's %q", first)
		}
	}
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("after a failed dump the process is gone: %v", err)
	}
}

// TestCheckpointRestore is the full round trip. It is skipped, with
// CRIU's reason, only when `criu check` fails: no dump can work then.
func TestCheckpointRestore(t *testing.T) {
	requireCriu(t)
	if err := Check(); err != nil {
		t.Skipf("skipped because criu check fails on this kernel:\n%v", err)
	}
	counter := filepath.Join(t.TempDir(), "counter")
	cmd := exec.Command("sh", "-c", `i=0; while :; do i=$((i+1)); echo $i > "$0"; sleep 0.01; done`, counter)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := func() int {
		b, _ := os.ReadFile(counter)
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return -1
		}
		return n
	}
	waitFor(t, "the counter", func() bool { return read() > 3 })
	images := t.TempDir()
	if err := Checkpoint(cmd.Process.Pid, images, Options{}); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal(err)
	}
	_ = cmd.Wait() // CRIU killed it after the dump
	dumped := read()
	pid, err := Restore(images, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := os.FindProcess(pid)
	defer func() { _ = p.Kill(); _, _ = p.Wait() }()
	if pid != cmd.Process.Pid {
		t.Errorf("restored pid %d, dumped %d", pid, cmd.Process.Pid)
	}
	waitFor(t, "the restored counter to move", func() bool { return read() > dumped })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestOptionsReachTheRequest: the options for a tree with namespaces
// become the fields of CRIU's request, external mounts in key order.
func TestOptionsReachTheRequest(t *testing.T) {
	dir, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	req := baseOpts(dir, Options{Root: "/rootfs", ManageCgroups: true, ShellJob: true,
		ExternalMounts: map[string]string{"/etc/hosts": "/state/etc-hosts", "/data": "/srv/data"}}, dumpLog)
	if req.GetRoot() != "/rootfs" || !req.GetManageCgroups() || !req.GetShellJob() || req.GetLogFile() != dumpLog || req.GetLogLevel() != 4 {
		t.Errorf("request root %q, manage cgroups %v, shell job %v, log %q level %d", req.GetRoot(), req.GetManageCgroups(), req.GetShellJob(), req.GetLogFile(), req.GetLogLevel())
	}
	var got []string
	for _, m := range req.GetExtMnt() {
		got = append(got, m.GetKey()+":"+m.GetVal())
	}
	if want := "/data:/srv/data /etc/hosts:/state/etc-hosts"; strings.Join(got, " ") != want {
		t.Errorf("external mounts %q, want %q", got, want)
	}
	zero := baseOpts(dir, Options{}, restoreLog)
	if zero.Root != nil || len(zero.ExtMnt) != 0 || zero.GetManageCgroups() {
		t.Errorf("the zero Options set root %v, %d external mounts, manage cgroups %v", zero.Root, len(zero.ExtMnt), zero.GetManageCgroups())
	}
}
