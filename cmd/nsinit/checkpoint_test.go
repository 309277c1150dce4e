package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needCriu skips without criu, or fails when CI=true (.ci/run installs
// it). It returns `criu check`'s output and whether it passed.
func needCriu(t *testing.T) (string, bool) {
	t.Helper()
	needRoot(t)
	path, err := exec.LookPath("criu")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("criu is not installed (apt-get install criu), and CI=true")
		}
		t.Skip("criu is not installed (apt-get install criu)")
	}
	out, err := exec.Command(path, "check").CombinedOutput()
	return strings.TrimSpace(string(out)), err == nil && bytes.Contains(out, []byte("Looks good"))
}

// TestCheckpointRestoreHelp: both verbs print their usage, with every
// flag, on stdout with status 0, for VERB --help, VERB -h and help VERB.
func TestCheckpointRestoreHelp(t *testing.T) {
	want := map[string][]string{
		"checkpoint": {"usage: nsinit [--root DIR] [--trace] checkpoint --image-path DIR", "\nflags:\n", "\n  -image-path string", "\n  -leave-running", "\n  -tcp-established", "\n  -ext-unix-sk", "CRIU"},
		"restore":    {"usage: nsinit [--root DIR] [--trace] restore --image-path DIR", "\nflags:\n", "\n  -bundle string", "\n  -tcp-established", "\n  -ext-unix-sk", "CRIU"},
	}
	for name, wants := range want {
		for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}} {
			var out, errb bytes.Buffer
			code := mainStatus(context.Background(), append([]string{"--root", t.TempDir()}, args...), &out, &errb)
			if code != 0 || errb.Len() != 0 {
				t.Errorf("nsinit %q: status %d, stderr %q; want 0 and nothing", args, code, errb.String())
			}
			for _, w := range wants {
				if !strings.Contains(out.String(), w) {
					t.Errorf("nsinit %q does not print %q:\n%s", args, w, out.String())
				}
			}
		}
	}
	var out bytes.Buffer
	if code := mainStatus(context.Background(), []string{"-h"}, &out, &out); code != 0 || !strings.Contains(out.String(), "  checkpoint ") || !strings.Contains(out.String(), "  restore ") {
		t.Errorf("nsinit -h: status %d, and the verbs are not listed:\n%s", code, out.String())
	}
}

// TestCheckpointRestoreUsage: a missing --image-path or ID is a usage
// error (status 2) that names the problem, before any container or CRIU
// is looked at.
func TestCheckpointRestoreUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"checkpoint", "c1"}, "--image-path is required"},
		{[]string{"checkpoint", "--image-path", "/nonexistent/images"}, "want one container ID, got 0"},
		{[]string{"checkpoint", "--image-path", "/nonexistent/images", "a", "b"}, "want one container ID, got 2"},
		{[]string{"checkpoint", "--bogus", "c1"}, "flag provided but not defined: -bogus"},
		{[]string{"restore", "--bundle", ".", "c1"}, "--image-path is required"},
		{[]string{"restore", "--image-path", "/nonexistent/images"}, "want one container ID, got 0"},
		{[]string{"restore", "--image-path", "/nonexistent/images", "../x"}, "invalid container ID"},
	} {
		root := t.TempDir()
		var out, errb bytes.Buffer
		code := mainStatus(context.Background(), append([]string{"--root", root}, tc.args...), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tc.want) || !strings.Contains(errb.String(), "usage: nsinit "+tc.args[0]) {
			t.Errorf("nsinit %q: status %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
		if _, err := os.Stat("/nonexistent/images"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("nsinit %q made the image directory", tc.args)
		}
		if entries, _ := os.ReadDir(root); len(entries) != 0 {
			t.Errorf("nsinit %q: the state root holds %d entries", tc.args, len(entries))
		}
	}
	var out, errb bytes.Buffer
	if code := mainStatus(context.Background(), []string{"--root", t.TempDir(), "checkpoint", "--image-path", t.TempDir(), "nosuch"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "does not exist") {
		t.Errorf("checkpoint of an unknown container: status %d, stderr %q; want 1", code, errb.String())
	}
}

// TestCheckpointRestoreVerbs runs a real container and checkpoints it
// with the binary. Where `criu check` fails (vdso on this project's
// machines), checkpoint and restore exit 1 with CRIU's words, the
// container runs on with the same pid and status, and restore leaves no
// state behind. Where it passes, the container is dumped (and stopped),
// deleted, restored and its restored init runs.
func TestCheckpointRestoreVerbs(t *testing.T) {
	raw, checkOK := needCriu(t)
	dir := makeBundle(t, "sleep", "60")
	root := t.TempDir()
	defer nsinitRun(t, root, "delete", "--force", "ck")
	if _, errs, code := nsinitRun(t, root, "create", "--bundle", dir, "ck"); code != 0 {
		t.Fatalf("create: %d %s", code, errs)
	}
	if _, errs, code := nsinitRun(t, root, "start", "ck"); code != 0 {
		t.Fatalf("start: %d %s", code, errs)
	}
	before := ociState(t, root, "ck")
	if before.Status != "running" || before.Pid <= 0 {
		t.Fatalf("after start: %+v", before)
	}
	images := filepath.Join(t.TempDir(), "images")
	if !checkOK {
		t.Logf("criu check fails here:\n%s", raw)
		hasCriusWords := func(what, stderr string) {
			t.Helper()
			if !strings.Contains(stderr, "criu check failed") {
				t.Errorf("%s: stderr does not say criu check failed:\n%s", what, stderr)
			}
			for _, line := range strings.Split(raw, "\n") {
				if !strings.Contains(stderr, strings.TrimSpace(line)) {
					t.Errorf("%s: stderr lacks CRIU's line %q:\n%s", what, line, stderr)
				}
			}
		}
		for _, args := range [][]string{
			{"checkpoint", "--image-path", images, "ck"},
			{"checkpoint", "--image-path", images, "--leave-running", "ck"},
		} {
			_, errs, code := nsinitRun(t, root, args...)
			if code != 1 || !strings.HasPrefix(errs, "nsinit checkpoint: unable to checkpoint container ck: ") {
				t.Errorf("nsinit %q: status %d, stderr %q; want 1 and the reason", args, code, errs)
			}
			hasCriusWords(strings.Join(args, " "), errs)
			if s := ociState(t, root, "ck"); s.Status != "running" || s.Pid != before.Pid {
				t.Errorf("after a failed %q: %s pid %d; want running pid %d", args, s.Status, s.Pid, before.Pid)
			}
			if err := unixAlive(before.Pid); err != nil {
				t.Errorf("after a failed %q the init is gone: %v", args, err)
			}
			if _, err := os.Stat(images); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed %q made %s", args, images)
			}
		}
		os.MkdirAll(images, 0o700)
		_, errs, code := nsinitRun(t, root, "restore", "--image-path", images, "--bundle", dir, "ck2")
		if code != 1 || !strings.HasPrefix(errs, "nsinit restore: unable to restore container ck2: ") {
			t.Errorf("restore: status %d, stderr %q; want 1 and the reason", code, errs)
		}
		hasCriusWords("restore", errs)
		if _, errs, code := nsinitRun(t, root, "state", "ck2"); code != 1 || !strings.Contains(errs, "does not exist") {
			t.Errorf("a failed restore left a container: state ck2: %d %s", code, errs)
		}
		if entries, _ := os.ReadDir(root); len(entries) != 1 || entries[0].Name() != "ck" {
			t.Errorf("a failed restore changed the state root: %v", entries)
		}
		if s := ociState(t, root, "ck"); s.Status != "running" || s.Pid != before.Pid {
			t.Errorf("after the failed restore: %s pid %d; want running pid %d", s.Status, s.Pid, before.Pid)
		}
		return
	}

	if _, errs, code := nsinitRun(t, root, "checkpoint", "--image-path", images, "ck"); code != 0 {
		t.Fatalf("checkpoint: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(images, "inventory.img")); err != nil {
		t.Errorf("no images after checkpoint: %v", err)
	}
	if s := ociState(t, root, "ck"); s.Status != "stopped" {
		t.Errorf("after checkpoint: %+v, want stopped", s)
	}
	if _, errs, code := nsinitRun(t, root, "delete", "ck"); code != 0 {
		t.Fatalf("delete after checkpoint: %d %s", code, errs)
	}
	if _, errs, code := nsinitRun(t, root, "restore", "--image-path", images, "--bundle", dir, "ck"); code != 0 {
		t.Fatalf("restore: %d %s", code, errs)
	}
	s := ociState(t, root, "ck")
	if s.Status != "running" || s.Pid <= 0 || s.Bundle != dir {
		t.Fatalf("after restore: %+v", s)
	}
	out, errs, code := nsinitRun(t, root, "exec", "--id", "ck", "ps")
	if code != 0 || !strings.Contains(out, "    1     0 sleep 60\n") {
		t.Errorf("exec ps in the restored container: %d %q %s; want the restored sleep as PID 1", code, out, errs)
	}
	if _, errs, code := nsinitRun(t, root, "kill", "ck", "KILL"); code != 0 {
		t.Fatalf("kill: %d %s", code, errs)
	}
	deadline := time.Now().Add(30 * time.Second)
	for ociState(t, root, "ck").Status != "stopped" {
		if time.Now().After(deadline) {
			t.Fatal("the restored container is not stopped 30s after SIGKILL")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// unixAlive reports whether pid exists and is not a zombie.
func unixAlive(pid int) error {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return err
	}
	if i := bytes.LastIndexByte(b, ')'); i > 0 && bytes.HasPrefix(b[i+1:], []byte(" Z")) {
		return errors.New("zombie")
	}
	return nil
}
