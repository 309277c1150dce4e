package main

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
)

// TestRunInitFlag checks who PID 1 is under --init, under the
// org.deferio.init annotation, and when --init=false overrides the
// annotation, by reading /proc/1/cmdline in the container.
func TestRunInitFlag(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		name       string
		annotation string
		flags      []string
		want       string // the start of PID 1's cmdline
	}{
		{"none", "", nil, "cat\x00/proc/1/cmdline"},
		{"flag", "", []string{"--init"}, "nsinit\x00init"},
		{"annotation", "true", nil, "nsinit\x00init"},
		{"flag-overrides", "true", []string{"--init=false"}, "cat\x00/proc/1/cmdline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := bundle.DefaultSpec("cat", "/proc/1/cmdline")
			spec.Linux.CgroupsPath = testCgroupsPath()
			if tc.annotation != "" {
				spec.Annotations = map[string]string{container.AnnotationInit: tc.annotation}
			}
			dir := makeBundleSpec(t, spec)
			args := append(append([]string{"run"}, tc.flags...), "--bundle", dir, "initflag")
			out, errs, code := nsinitRun(t, t.TempDir(), args...)
			if code != 0 || !strings.HasPrefix(out, tc.want) {
				t.Errorf("run %v: status %d, PID 1 %q (stderr %s); want %q", tc.flags, code, out, errs, tc.want)
			}
		})
	}
}

// TestRunInitBadAnnotation: an annotation that is not true or false is a
// configuration error, not a panic.
func TestRunInitBadAnnotation(t *testing.T) {
	spec := bundle.DefaultSpec("true")
	spec.Annotations = map[string]string{container.AnnotationInit: "yes"}
	dir := makeBundleSpec(t, spec)
	_, errs, code := nsinitRun(t, t.TempDir(), "run", "--bundle", dir, "badinit")
	if code == 0 || !strings.Contains(errs, `annotation org.deferio.init is "yes", want true or false`) {
		t.Errorf("run: status %d, stderr %q", code, errs)
	}
}

// TestRunInitMissingProgram: with --init a program that is not there
// fails run exactly as without.
func TestRunInitMissingProgram(t *testing.T) {
	needRoot(t)
	dir := makeBundle(t, "no-such-program")
	_, plain, code := nsinitRun(t, t.TempDir(), "run", "--bundle", dir, "missing")
	if code != 1 || !strings.Contains(plain, `unable to find "no-such-program"`) {
		t.Fatalf("run without --init: status %d, stderr %q", code, plain)
	}
	_, withInit, code := nsinitRun(t, t.TempDir(), "run", "--init", "--bundle", dir, "missing")
	if code != 1 || withInit != plain {
		t.Errorf("run --init: status %d, stderr %q; want 1 and %q", code, withInit, plain)
	}
}

// TestRunInitKill: nsinit kill sends SIGTERM to the container's init,
// which forwards it to the program; run exits with 128+15.
func TestRunInitKill(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	dir := makeBundle(t, "sleep", "60")
	root := t.TempDir()
	defer nsinitRun(t, root, "delete", "--force", "initkill")
	cmd := exec.Command(bin, "--root", root, "run", "--init", "--bundle", dir, "initkill")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, _, _ := nsinitRun(t, root, "ps", "initkill")
		if len(strings.Fields(out)) == 2 { // init and sleep
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the container never ran init and sleep: ps says %q", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, errs, code := nsinitRun(t, root, "kill", "initkill", "TERM"); code != 0 {
		t.Fatalf("kill: %d %s", code, errs)
	}
	select {
	case err := <-waitErr:
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 128+int(syscall.SIGTERM) {
			t.Errorf("run --init after kill TERM: %v, want exit status %d", err, 128+int(syscall.SIGTERM))
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("run --init did not end after kill TERM")
	}
}
