package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/deferio/deferio/container/bundle"
)

// checkPidFile reads a pid file: exactly init's pid as state reports it,
// and no temporary file left beside it.
func checkPidFile(t *testing.T, root, id, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := ociState(t, root, id); string(b) != strconv.Itoa(s.Pid) || s.Pid == 0 {
		t.Errorf("pid file holds %q, state says pid %d", b, s.Pid)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the pid file's directory holds %d entries, want the pid file alone", len(entries))
	}
}

// TestCreatePidFile: create --pid-file writes init's pid; a pid file that
// cannot be written fails create and leaves nothing.
func TestCreatePidFile(t *testing.T) {
	needRoot(t)
	dir := makeBundle(t, "sleep", "60")
	root := t.TempDir()
	pidFile := filepath.Join(t.TempDir(), "pid")
	defer nsinitRun(t, root, "delete", "--force", "pidf")
	if _, errs, code := nsinitRun(t, root, "create", "--bundle", dir, "--pid-file", pidFile, "pidf"); code != 0 {
		t.Fatalf("create: %d %s", code, errs)
	}
	checkPidFile(t, root, "pidf", pidFile)
	if _, errs, code := nsinitRun(t, root, "delete", "--force", "pidf"); code != 0 {
		t.Fatalf("delete: %d %s", code, errs)
	}

	// The default cgroup path, /deferio/ID, which leftovers looks for;
	// the ID carries this process's pid, so no other test uses it.
	dflt := makeBundleSpec(t, bundle.DefaultSpec("sleep", "60"))
	id := fmt.Sprintf("badpid-%d", os.Getpid())
	bad := filepath.Join(t.TempDir(), "no", "such", "dir", "pid")
	if _, errs, code := nsinitRun(t, root, "create", "--bundle", dflt, "--pid-file", bad, id); code != 1 {
		t.Errorf("create with an unwritable pid file: %d %s, want 1", code, errs)
	}
	noLeftovers(t, root, id, "a create whose pid file failed")
}

// TestRunDetachedPidFile: run -d --pid-file writes the pid of the init
// that runs the program.
func TestRunDetachedPidFile(t *testing.T) {
	needRoot(t)
	dir := makeBundle(t, "sleep", "60")
	root := t.TempDir()
	pidFile := filepath.Join(t.TempDir(), "pid")
	defer nsinitRun(t, root, "delete", "--force", "runpid")
	if _, errs, code := nsinitRun(t, root, "run", "-d", "--bundle", dir, "--pid-file", pidFile, "runpid"); code != 0 {
		t.Fatalf("run -d: %d %s", code, errs)
	}
	if s := ociState(t, root, "runpid"); s.Status != "running" {
		t.Errorf("after run -d: %+v", s)
	}
	checkPidFile(t, root, "runpid", pidFile)
}
