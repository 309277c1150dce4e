package container_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/criu"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// needCriu skips a test without criu, or fails it when CI=true (.ci/run
// installs criu). It returns `criu check`'s output and whether CRIU said
// "Looks good.": the ground truth the errors are compared with.
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

// writeSpec replaces the bundle's config.json with spec (newBundle
// changes the cgroup path in memory only), for Restore, which reads it.
func writeSpec(t *testing.T, dir string, spec *specs.Spec) {
	t.Helper()
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cgroupDirs lists the directories of cgroup path that exist, in every
// mounted hierarchy.
func cgroupDirs(t *testing.T, path string) []string {
	t.Helper()
	var found []string
	hs, _ := filepath.Glob("/sys/fs/cgroup/*")
	hs = append(hs, "/sys/fs/cgroup")
	for _, h := range hs {
		if fi, err := os.Stat(filepath.Join(h, path)); err == nil && fi.IsDir() {
			found = append(found, filepath.Join(h, path))
		}
	}
	return found
}

// TestCheckpointRestore checkpoints a real running container. Where
// `criu check` fails (this project's machines: vdso), Checkpoint and
// Restore must return CRIU's words and leave everything as it was; where
// it passes, the container is dumped, stopped, removed and restored, and
// the restored init must run in restored namespaces.
func TestCheckpointRestore(t *testing.T) {
	raw, checkOK := needCriu(t)
	dir, spec := newBundle(t, "sleep", "60")
	writeSpec(t, dir, spec)
	root := stateRoot(t)
	c, err := container.Create(root, "ckpt", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	if err := c.Run(&container.Process{}); err != nil {
		t.Fatal(err)
	}
	before := c.State()
	if before.Status != container.Running {
		t.Fatalf("status %s after Run, want running", before.Status)
	}
	images := filepath.Join(t.TempDir(), "images")
	if !checkOK {
		t.Logf("criu check fails here:\n%s", raw)
		checkFailureChangesNothing(t, c, before, images, raw)
		restoreFailureLeavesNothing(t, root, dir, spec, images, raw)
		return
	}

	if err := c.Checkpoint(t.Context(), images, criu.Options{}); err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	if _, err := os.Stat(filepath.Join(images, "inventory.img")); err != nil {
		t.Errorf("no images after Checkpoint: %v", err)
	}
	if st := c.Status(); st != container.Stopped {
		t.Errorf("status %s after Checkpoint, want stopped", st)
	}
	if again, err := container.Load(root, "ckpt"); err != nil || again.State().Status != container.Stopped {
		t.Errorf("the recorded state after Checkpoint: %v, %v; want stopped", again, err)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", before.Pid)); err == nil {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", before.Pid)); !strings.Contains(string(b), ") Z ") {
			t.Errorf("the dumped init %d still runs", before.Pid)
		}
	}
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	r, err := container.Restore(t.Context(), root, "ckpt", dir, images, criu.Options{})
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	t.Cleanup(func() { r.ForceDestroy() })
	st := r.State()
	if st.Status != container.Running || st.Pid <= 0 || st.Bundle != dir {
		t.Fatalf("after Restore: status %s, pid %d, bundle %s", st.Status, st.Pid, st.Bundle)
	}
	if again, err := container.Load(root, "ckpt"); err != nil || again.State().Pid != st.Pid || again.Status() != container.Running {
		t.Errorf("the recorded state after Restore: %+v, %v", again, err)
	}
	pids, err := r.Processes()
	if err != nil || len(pids) == 0 || !slices.Contains(pids, st.Pid) {
		t.Errorf("Processes() = %v, %v; want the restored init %d in its cgroup", pids, err, st.Pid)
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", st.Pid))
	if got := strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " "); !strings.HasSuffix(got, "sleep 60") {
		t.Errorf("the restored init runs %q, want sleep 60", got)
	}
	// The restored tree runs: a process joins its namespaces and sees
	// the restored sleep as PID 1 of the restored PID namespace.
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	p := &container.Process{Spec: &specs.Process{Args: []string{"sh", "-c", "hostname; ps"}, Cwd: "/", Env: []string{"PATH=/bin"}}, Stdout: out, Stderr: out}
	if err := r.Exec(p); err != nil {
		t.Fatalf("Exec in the restored container: %v", err)
	}
	code, err := p.Wait()
	b, _ := os.ReadFile(out.Name())
	if err != nil || code != 0 || !strings.Contains(string(b), "deferio\n") || !strings.Contains(string(b), "    1     0 sleep 60\n") {
		t.Errorf("exec in the restored container: %d, %v:\n%s", code, err, b)
	}
	if err := r.ForceDestroy(); err != nil {
		t.Fatal(err)
	}
	if d := cgroupDirs(t, spec.Linux.CgroupsPath); len(d) != 0 {
		t.Errorf("cgroup left after ForceDestroy: %v", d)
	}
}

// checkFailureChangesNothing: where `criu check` fails, Checkpoint, in
// every form and from running and paused, returns CRIU's words, and the
// container runs on with the same init, the same status, and no images.
func checkFailureChangesNothing(t *testing.T, c *container.Container, before container.State, images, raw string) {
	t.Helper()
	startOf := func() string {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", before.Pid))
		if err != nil {
			t.Fatalf("init %d is gone: %v", before.Pid, err)
		}
		return strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))[19]
	}
	start := startOf()
	for _, paused := range []bool{false, true} {
		want := container.Running
		if paused {
			if err := c.Pause(); err != nil {
				t.Fatal(err)
			}
			want = container.Paused
		}
		for _, leave := range []bool{false, true} {
			err := c.Checkpoint(t.Context(), images, criu.Options{LeaveRunning: leave})
			what := fmt.Sprintf("Checkpoint of a %s container (LeaveRunning %v)", want, leave)
			if err == nil {
				t.Fatalf("%s succeeded where criu check fails", what)
			}
			if !errors.Is(err, criu.ErrCheckFailed) {
				t.Errorf("%s = %v, want criu.ErrCheckFailed", what, err)
			}
			if !strings.HasPrefix(err.Error(), "unable to checkpoint container ckpt: ") {
				t.Errorf("%s: the error does not say what failed: %v", what, err)
			}
			for _, line := range strings.Split(raw, "\n") {
				if !strings.Contains(err.Error(), strings.TrimSpace(line)) {
					t.Errorf("%s: the error lacks CRIU's line %q:\n%v", what, line, err)
				}
			}
			if _, err := os.Stat(images); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s created the image directory %s (%v)", what, images, err)
			}
			st := c.State()
			if st.Status != want || st.Pid != before.Pid || startOf() != start {
				t.Errorf("after %s: status %s, pid %d; want %s and %d, the same process", what, st.Status, st.Pid, want, before.Pid)
			}
			again, err := container.Load(filepath.Dir(c.Dir()), "ckpt")
			if err != nil || again.Status() != want || again.State().Pid != before.Pid {
				t.Errorf("after %s the recorded state changed: %v", what, err)
			}
		}
		if paused {
			if err := c.Resume(); err != nil {
				t.Fatal(err)
			}
		}
	}
	pids, err := c.Processes()
	if err != nil || !slices.Contains(pids, before.Pid) {
		t.Errorf("after the failed checkpoints Processes() = %v, %v; want init %d still there", pids, err, before.Pid)
	}
}

// restoreFailureLeavesNothing: where `criu check` fails, Restore returns
// CRIU's words before it looks at anything, and makes no state directory
// and no cgroup; an existing container of the same ID is left alone.
func restoreFailureLeavesNothing(t *testing.T, root, dir string, spec *specs.Spec, images, raw string) {
	t.Helper()
	other := stateRoot(t)
	os.MkdirAll(images, 0o700)
	for _, tc := range []struct{ root, id string }{{other, "restored"}, {root, "ckpt"}} {
		entriesBefore, _ := os.ReadDir(tc.root)
		r, err := container.Restore(t.Context(), tc.root, tc.id, dir, images, criu.Options{})
		if err == nil {
			r.ForceDestroy()
			t.Fatalf("Restore of %s succeeded where criu check fails", tc.id)
		}
		if r != nil {
			t.Errorf("a failed Restore returned a container")
		}
		if !errors.Is(err, criu.ErrCheckFailed) || !strings.HasPrefix(err.Error(), "unable to restore container "+tc.id+": ") {
			t.Errorf("Restore of %s = %v, want criu.ErrCheckFailed first", tc.id, err)
		}
		for _, line := range strings.Split(raw, "\n") {
			if !strings.Contains(err.Error(), strings.TrimSpace(line)) {
				t.Errorf("Restore's error lacks CRIU's line %q:\n%v", line, err)
			}
		}
		entries, _ := os.ReadDir(tc.root)
		if len(entries) != len(entriesBefore) {
			t.Errorf("a failed Restore changed the state root %s: %d entries, %d before", tc.root, len(entries), len(entriesBefore))
		}
	}
	if _, err := os.Stat(filepath.Join(other, "restored")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed Restore left a state directory (%v)", err)
	}
	c, err := container.Load(root, "ckpt")
	if err != nil || c.Status() != container.Running {
		t.Errorf("a failed Restore of an ID in use touched it: %v", err)
	}
	// The cgroup the restore would have used is the running container's:
	// it must still hold exactly that container's init.
	pids, err := c.Processes()
	if err != nil || len(pids) != 1 || pids[0] != c.State().Pid {
		t.Errorf("after the failed Restore the container's cgroup holds %v, %v", pids, err)
	}
	// A bundle whose cgroup nobody uses: a failed Restore must not make it.
	fresh := *spec
	linux := *spec.Linux
	linux.CgroupsPath = spec.Linux.CgroupsPath + "-restore"
	fresh.Linux = &linux
	freshDir := t.TempDir()
	fresh.Root = &specs.Root{Path: filepath.Join(dir, "rootfs"), Readonly: spec.Root.Readonly}
	writeSpec(t, freshDir, &fresh)
	if _, err := container.Restore(t.Context(), other, "fresh", freshDir, images, criu.Options{}); !errors.Is(err, criu.ErrCheckFailed) {
		t.Errorf("Restore = %v, want criu.ErrCheckFailed", err)
	}
	if d := cgroupDirs(t, linux.CgroupsPath); len(d) != 0 {
		t.Errorf("a failed Restore left cgroups %v", d)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Errorf("a failed Restore left %d entries in %s", len(entries), other)
	}
}

// TestCheckpointRefusesWrongStatus: a created or stopped container
// cannot be checkpointed; the error is an illegal transition, and no
// image directory is made.
func TestCheckpointRefusesWrongStatus(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "sleep", "60")
	c, err := container.Create(stateRoot(t), "ckptstatus", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	images := filepath.Join(t.TempDir(), "images")
	if err := c.Checkpoint(t.Context(), images, criu.Options{}); !errors.Is(err, container.ErrIllegalTransition) {
		t.Errorf("Checkpoint of a creating container = %v, want ErrIllegalTransition", err)
	}
	if err := c.Start(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Checkpoint(t.Context(), images, criu.Options{}); !errors.Is(err, container.ErrIllegalTransition) {
		t.Errorf("Checkpoint of a created container = %v, want ErrIllegalTransition", err)
	}
	if st := c.Status(); st != container.Created {
		t.Errorf("status %s after a refused Checkpoint, want created", st)
	}
	if _, err := os.Stat(images); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused Checkpoint created %s", images)
	}
}

// TestRestoreBadInput: a bad ID is refused before anything else, even
// before criu check; without criu the error says so; nothing is made.
func TestRestoreBadInput(t *testing.T) {
	root := t.TempDir()
	if _, err := container.Restore(t.Context(), root, "../x", t.TempDir(), t.TempDir(), criu.Options{}); err == nil || !strings.Contains(err.Error(), "invalid container ID") {
		t.Errorf("Restore with a bad ID = %v", err)
	}
	_, err := container.Restore(t.Context(), root, "nocriu", t.TempDir(), t.TempDir(), criu.Options{CriuPath: "/nonexistent/criu"})
	if err == nil || !strings.Contains(err.Error(), "unable to restore container nocriu: unable to run criu check") {
		t.Errorf("Restore without criu = %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("a refused Restore left %d entries in the state root", len(entries))
	}
}
