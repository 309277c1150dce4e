package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/deferio/deferio/container/bundle"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestPauseResumeStatsUpdate(t *testing.T) {
	needRoot(t)
	dir := makeBundle(t, "sleep", "60")
	root := t.TempDir()
	defer nsinitRun(t, root, "delete", "--force", "cg")
	if _, errs, code := nsinitRun(t, root, "run", "-d", "--bundle", dir, "cg"); code != 0 {
		t.Fatalf("run -d: %d %s", code, errs)
	}
	if _, errs, code := nsinitRun(t, root, "pause", "cg"); code != 0 {
		t.Fatalf("pause: %d %s", code, errs)
	}
	if s := ociState(t, root, "cg"); s.Status != "paused" {
		t.Errorf("after pause: %s", s.Status)
	}
	if _, errs, code := nsinitRun(t, root, "pause", "cg"); code != 1 || !strings.Contains(errs, "it is paused") {
		t.Errorf("pause twice: %d %s", code, errs)
	}
	if _, errs, code := nsinitRun(t, root, "unpause", "cg"); code != 0 {
		t.Fatalf("unpause: %d %s", code, errs)
	}
	if _, errs, code := nsinitRun(t, root, "update", "--pids-limit", "20", "cg"); code != 0 {
		t.Fatalf("update: %d %s", code, errs)
	}
	out, errs, code := nsinitRun(t, root, "stats", "--json", "cg")
	if code != 0 {
		t.Fatalf("stats: %d %s", code, errs)
	}
	var st struct {
		Pids struct{ Current, Limit uint64 }
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Pids.Limit != 20 || st.Pids.Current == 0 {
		t.Errorf("stats --json: %v %+v\n%s", err, st, out)
	}
	if _, errs, code := nsinitRun(t, root, "update", "cg"); code != 2 || !strings.Contains(errs, "nothing to update") {
		t.Errorf("update without limits: %d %s", code, errs)
	}
	out, errs, code = nsinitRun(t, root, "events", "--stats", "cg")
	var ev struct {
		Type, ID string
		Data     struct{ Pids struct{ Limit uint64 } }
	}
	if code != 0 || json.Unmarshal([]byte(out), &ev) != nil || ev.Type != "stats" || ev.ID != "cg" || ev.Data.Pids.Limit != 20 {
		t.Errorf("events --stats: %d %q %s", code, out, errs)
	}
	// events without --stats ends by itself when the container stops.
	bin, _ := binaries(t)
	events := exec.Command(bin, "--root", root, "events", "--interval", "100ms", "cg")
	evOut, _ := os.CreateTemp(t.TempDir(), "events")
	events.Stdout = evOut
	if err := events.Start(); err != nil {
		t.Fatal(err)
	}
	// Let it print a stats line before the container stops: on a loaded
	// machine a fixed pause may end before events has even started.
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(evOut.Name())
		if strings.Contains(string(b), `"type":"stats"`) {
			break
		}
		if time.Now().After(deadline) {
			events.Process.Kill()
			events.Wait()
			t.Fatalf("events printed no stats line in 30s:\n%s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	nsinitRun(t, root, "kill", "cg", "KILL")
	done := make(chan error, 1)
	go func() { done <- events.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("events: %v", err)
		}
	case <-time.After(30 * time.Second):
		events.Process.Kill()
		t.Fatal("events did not end in 30s when the container stopped")
	}
	b, _ := os.ReadFile(evOut.Name())
	if n := strings.Count(string(b), `"type":"stats"`); n < 1 {
		t.Errorf("events printed no stats line:\n%s", b)
	}
}

// TestOOM runs `nsinit oom` beside a container whose exec'd process
// allocates past the memory limit, and expects it to report the kill.
func TestOOM(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	spec := bundle.DefaultSpec("sleep", "60")
	spec.Linux.CgroupsPath = testCgroupsPath()
	limit := int64(48 << 20)
	spec.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit, Swap: &limit}}
	dir := makeBundleSpec(t, spec)
	root := t.TempDir()
	defer nsinitRun(t, root, "delete", "--force", "oom")
	if _, errs, code := nsinitRun(t, root, "run", "-d", "--bundle", dir, "oom"); code != 0 {
		t.Fatalf("run -d: %d %s", code, errs)
	}
	outF, err := os.CreateTemp(t.TempDir(), "oom")
	if err != nil {
		t.Fatal(err)
	}
	watch := exec.Command(bin, "--root", root, "oom", "oom")
	watch.Stdout, watch.Stderr = outF, outF
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	// The watcher may register after the first kill on a loaded machine
	// (nothing tells when it is ready): run the hog again until it has
	// reported one, within a generous bound.
	for deadline := time.Now().Add(30 * time.Second); ; {
		out, errs, code := nsinitRun(t, root, "exec", "--id", "oom", "hog", "200")
		if code == 0 {
			t.Fatalf("hog 200 under a 48 MiB limit succeeded: %s", out)
		}
		if code != 128+9 {
			t.Logf("hog exit status %d (%s)", code, errs)
		}
		if b, _ := os.ReadFile(outF.Name()); strings.Contains(string(b), "OOM kill in oom") || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	nsinitRun(t, root, "delete", "--force", "oom")
	done := make(chan error, 1)
	go func() { done <- watch.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("nsinit oom: %v", err)
		}
	case <-time.After(30 * time.Second):
		watch.Process.Kill()
		t.Error("nsinit oom did not end in 30s after the container was deleted")
	}
	b, _ := os.ReadFile(outF.Name())
	if !strings.Contains(string(b), "OOM kill in oom") {
		t.Errorf("nsinit oom printed %q, want an OOM line", b)
	}
}
