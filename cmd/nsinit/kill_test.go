package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deferio/deferio/container/bundle"
	"github.com/deferio/deferio/internal/testenv"
)

// leftovers lists what a container id may leave behind on the host:
// processes in its cgroup, its cgroup directories, its state directory.
func leftovers(t *testing.T, root, id string) []string {
	t.Helper()
	var found []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cgroup")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), "/deferio/"+id+"\n") {
			found = append(found, "process "+filepath.Base(filepath.Dir(p)))
		}
	}
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/deferio/" + id)
	for _, d := range dirs {
		found = append(found, "cgroup "+d)
	}
	if _, err := os.Stat(filepath.Join(root, id)); err == nil {
		found = append(found, "state "+filepath.Join(root, id))
	}
	return found
}

// TestKillRuntimeDuringCreate kills `nsinit create` with SIGKILL at
// several points of its work, then checks that `delete --force` removes
// every trace: processes, cgroups, state, and that the host's mount table
// did not change.
func TestKillRuntimeDuringCreate(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	// The default cgroup path, /deferio/ID: the IDs carry this process's
	// pid, so no other test binary uses them.
	dir := makeBundleSpec(t, bundle.DefaultSpec("sleep", "60"))
	root := t.TempDir()
	// A container's mounts live in its own mount namespace; one that
	// leaked to the host would be on the bundle, the state root or a
	// cgroup directory. (Other tests change the rest of the table.)
	watched := []string{dir, root, "/sys/fs/cgroup"}
	mounts := testenv.HostMounts(t, watched...)
	delays := []time.Duration{0, time.Millisecond, 3 * time.Millisecond, 6 * time.Millisecond, 10 * time.Millisecond,
		15 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond, 50 * time.Millisecond, 80 * time.Millisecond, 200 * time.Millisecond}
	states := map[string]int{}
	for i, d := range delays {
		id := fmt.Sprintf("killed-%d-%d", os.Getpid(), i)
		devnull, _ := os.Open(os.DevNull)
		cmd := exec.Command(bin, "--root", root, "create", "--bundle", dir, id)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(d)
		cmd.Process.Kill()
		cmd.Wait()
		devnull.Close()
		out, _, _ := nsinitRun(t, root, "state", id)
		switch {
		case strings.Contains(out, `"status": "creating"`):
			states["creating"]++
		case strings.Contains(out, `"status": "created"`):
			states["created"]++
		case strings.Contains(out, `"status": "stopped"`):
			states["stopped"]++
		case out == "":
			states["none"]++
		default:
			states["other"]++
		}
		_, errs, code := nsinitRun(t, root, "delete", "--force", id)
		// "does not exist" is right only when state said so too (killed
		// before Create made the directory), not for a lost record.
		if code != 0 && !(out == "" && strings.Contains(errs, "does not exist")) {
			t.Errorf("delay %v: delete --force: %d %s", d, code, errs)
		}
		// An init whose runtime died before sending the configuration
		// exits on its own when it reads EOF: poll, with a bound
		// generous enough for a loaded machine.
		var left []string
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if left = leftovers(t, root, id); len(left) == 0 || time.Now().After(deadline) {
				break
			}
		}
		if len(left) != 0 {
			t.Errorf("killed after %v: left behind %v (state before delete: %q; delete: %d %q)", d, left, out, code, errs)
		}
	}
	if after := testenv.HostMounts(t, watched...); !slices.Equal(after, mounts) {
		t.Errorf("the host's mount table changed:\nbefore:\n%s\nafter:\n%s", strings.Join(mounts, "\n"), strings.Join(after, "\n"))
	}
	t.Logf("states when killed: %v", states)
}
