package container_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// startDetached runs a container whose process sleeps, and returns it
// running.
func startDetached(t *testing.T, id string, mutate func(*specs.Spec)) (*container.Container, *container.Process) {
	t.Helper()
	dir, spec := newBundle(t, "sleep", "60")
	if mutate != nil {
		mutate(spec)
	}
	if len(spec.Linux.UIDMappings) > 0 {
		chownRootfs(t, dir, int(spec.Linux.UIDMappings[0].HostID))
	}
	c, err := container.Create(stateRoot(t), id, container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	p := &container.Process{}
	if err := c.Run(p); err != nil {
		t.Fatal(err)
	}
	if st := c.Status(); st != container.Running {
		t.Fatalf("status %s after Run, want running", st)
	}
	return c, p
}

func nsLinks(t *testing.T, pid int) map[string]string {
	t.Helper()
	links := map[string]string{}
	for _, ns := range []string{"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"} {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
		if err != nil {
			t.Fatal(err)
		}
		links[ns] = l
	}
	return links
}

func TestExecJoinsNamespaces(t *testing.T) {
	needRoot(t)
	for _, userns := range []bool{false, true} {
		t.Run(fmt.Sprintf("userns=%v", userns), func(t *testing.T) {
			c, _ := startDetached(t, "exec", func(s *specs.Spec) {
				if userns {
					s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
					s.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 200000, Size: 65536}}
					s.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: 200000, Size: 65536}}
					s.Root.Readonly = true
				}
			})
			want := nsLinks(t, c.State().Pid)
			out, err := os.CreateTemp(t.TempDir(), "out")
			if err != nil {
				t.Fatal(err)
			}
			ps := &specs.Process{Args: []string{"sh", "-c", "inspect; hostname; ps"}, Cwd: "/", Env: []string{"PATH=/bin"}}
			p := &container.Process{Spec: ps, Stdout: out, Stderr: out}
			if err := c.Exec(p); err != nil {
				t.Fatal(err)
			}
			code, err := p.Wait()
			if err != nil || code != 0 {
				b, _ := os.ReadFile(out.Name())
				t.Fatalf("exec exit %d, %v: %s", code, err, b)
			}
			b, _ := os.ReadFile(out.Name())
			got := map[string]string{}
			for _, l := range strings.Split(string(b), "\n") {
				if f := strings.Fields(l); len(f) == 3 && f[0] == "ns" {
					got[f[1]] = f[2]
				}
			}
			for ns, l := range want {
				if got[ns] != l {
					t.Errorf("exec'd process is in %s %s, init in %s", ns, got[ns], l)
				}
			}
			if !strings.Contains(string(b), "\ndeferio\n") {
				t.Errorf("exec'd process should see the container's hostname:\n%s", b)
			}
			if !strings.Contains(string(b), "    1     0 sleep 60\n") {
				t.Errorf("exec'd process should see init as PID 1:\n%s", b)
			}
			pids, err := c.Processes()
			if err != nil {
				t.Fatal(err)
			}
			if len(pids) != 1 || pids[0] != c.State().Pid {
				t.Errorf("after the exec'd process exited the cgroup holds %v, want only init %d", pids, c.State().Pid)
			}
		})
	}
}

func TestExecNeedsRunning(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "true")
	c, err := container.Create(stateRoot(t), "not-running", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	defer c.ForceDestroy()
	err = c.Exec(&container.Process{Spec: &specs.Process{Args: []string{"true"}, Cwd: "/"}})
	var te *container.TransitionError
	if !errorsAs(err, &te) || te.Status != container.Creating {
		t.Fatalf("Exec on a creating container: %v, want a TransitionError from creating", err)
	}
}
