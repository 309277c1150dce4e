package container_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestProcessSetup checks what init sets before execve: user and groups,
// environment, working directory, rlimits, oom_score_adj, no_new_privs and
// the umask.
func TestProcessSetup(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, script(
		"id", "id",
		"env", "env",
		"pwd", "pwd",
		"limits", "cat /proc/self/limits",
		"oom", "cat /proc/self/oom_score_adj",
		"status", "cat /proc/self/status",
	)...)
	adj := 500
	spec.Process.User = specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{5, 7}}
	spec.Process.Env = []string{"PATH=/bin", "GREETING=hello"}
	spec.Process.Cwd = "/tmp"
	spec.Process.OOMScoreAdj = &adj
	spec.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 123, Hard: 456}}
	r := runContainer(t, stateRoot(t), "process", container.Config{Bundle: dir, Spec: spec})
	if got := section(r.stdout, "id"); !slices.Equal(got, []string{"uid=1000 gid=1000 groups=5,7"}) {
		t.Errorf("id = %q", got)
	}
	if got := section(r.stdout, "env"); !slices.Equal(got, []string{"PATH=/bin", "GREETING=hello"}) {
		t.Errorf("env = %q, want exactly the spec's", got)
	}
	if got := section(r.stdout, "pwd"); !slices.Equal(got, []string{"/tmp"}) {
		t.Errorf("pwd = %q", got)
	}
	// toybox is a Go program, and the Go runtime raises its own soft
	// RLIMIT_NOFILE towards the hard limit at startup: only the hard limit
	// shows what init set.
	found := false
	for _, l := range section(r.stdout, "limits") {
		if f := strings.Fields(l); strings.HasPrefix(l, "Max open files") && len(f) >= 5 && f[4] == "456" {
			found = true
		}
	}
	if !found {
		t.Errorf("RLIMIT_NOFILE hard 456 not in /proc/self/limits:\n%s", strings.Join(section(r.stdout, "limits"), "\n"))
	}
	if got := section(r.stdout, "oom"); !slices.Equal(got, []string{"500"}) {
		t.Errorf("oom_score_adj = %q", got)
	}
	status := strings.Join(section(r.stdout, "status"), "\n")
	for _, want := range []string{"NoNewPrivs:\t1", "Umask:\t0022", "CapEff:\t0000000000000000"} {
		if !strings.Contains(status, want) {
			t.Errorf("/proc/self/status lacks %q", want)
		}
	}
}

// TestFailedStartLeavesNothing: a setup step that fails inside init (a
// working directory that does not exist, a bind mount whose source is
// missing) comes back as an error with its context, and Start's deferred
// undo has already removed the process, the cgroup and the state.
func TestFailedStartLeavesNothing(t *testing.T) {
	needRoot(t)
	cases := map[string]struct {
		mutate func(*specs.Spec)
		want   string
	}{
		"cwd": {func(s *specs.Spec) { s.Process.Cwd = "/no/such/dir" }, "unable to change to the working directory /no/such/dir"},
		"mount": {func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: "/no/such/source", Options: []string{"bind"}})
		}, "unable to bind mount /no/such/source"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir, spec := newBundle(t, "true")
			tc.mutate(spec)
			root := stateRoot(t)
			c, err := container.Create(root, "fails", container.Config{Bundle: dir, Spec: spec})
			if err != nil {
				t.Fatal(err)
			}
			cgroupDirs, _ := filepath.Glob("/sys/fs/cgroup/*/deferio/fails")
			if len(cgroupDirs) != 0 {
				t.Fatalf("cgroup directories exist before Start: %v", cgroupDirs)
			}
			err = c.Run(nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run: %v, want %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(root); len(entries) != 0 {
				t.Errorf("the state root holds %d entries after the failed start", len(entries))
			}
			if left, _ := filepath.Glob("/sys/fs/cgroup/*/deferio/fails"); len(left) != 0 {
				t.Errorf("cgroup directories left: %v", left)
			}
			if pid := c.State().Pid; pid != 0 {
				if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
					if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); strings.HasPrefix(string(b), "nsinit\x00init") {
						t.Errorf("init %d is still alive", pid)
					}
				}
			}
		})
	}
}

// TestSysctl: linux.sysctl is written through the container's /proc/sys,
// so a namespaced key changes the container's network namespace and not
// the host's.
func TestSysctl(t *testing.T) {
	needRoot(t)
	host, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		t.Skip(err)
	}
	want := "1"
	if strings.TrimSpace(string(host)) == "1" {
		want = "0"
	}
	dir, spec := newBundle(t, "cat", "/proc/sys/net/ipv4/ip_forward")
	spec.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": want}
	r := runContainer(t, stateRoot(t), "sysctl", container.Config{Bundle: dir, Spec: spec})
	if strings.TrimSpace(r.stdout) != want {
		t.Errorf("inside, ip_forward = %q, want %s (stderr %s)", r.stdout, want, r.stderr)
	}
	after, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if string(after) != string(host) {
		t.Errorf("the host's ip_forward changed from %q to %q", host, after)
	}
}

// TestDenyAllDevices: a configuration whose device cgroup rules start with
// "deny all" (as the OCI runtime-tools default does) still gets its
// default devices: init can create /dev/null and the program can write it.
func TestDenyAllDevices(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "sh", "-c", "write /dev/null x; echo done")
	spec.Linux.Resources = &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}}
	r := runContainer(t, stateRoot(t), "denyall", container.Config{Bundle: dir, Spec: spec})
	if r.stdout != "done\n" || r.stderr != "" {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
}

// TestDeviceModes: linux.devices get exactly the mode asked for, whatever
// the runtime's umask.
func TestDeviceModes(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "ls", "-l", "/dev/fuse")
	mode := os.FileMode(0o660)
	spec.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229, FileMode: &mode}}
	r := runContainer(t, stateRoot(t), "devmode", container.Config{Bundle: dir, Spec: spec})
	if !strings.HasPrefix(r.stdout, "Dcrw-rw---- ") {
		t.Errorf("ls -l /dev/fuse = %q, want mode crw-rw----; stderr %s", r.stdout, r.stderr)
	}
}

// TestWaitStatus reads how a container's process ended through procx:
// its exit code and the CPU and memory it used. A second call returns the
// same status.
func TestWaitStatus(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		script string
		want   string
		code   int
	}{
		{"exit 3", "exit code 3", 3},
		// As PID 1 the shell would be immune to its own SIGKILL: under
		// Init it is not PID 1, and init passes its death on as 128+9.
		{"head -c 1000000 /dev/zero >/dev/null; kill -KILL $$", "exit code 137", 137},
	} {
		dir, spec := busyboxBundle(t, "sh", "-c", tc.script)
		c, err := container.Create(stateRoot(t), "waitstatus", container.Config{Bundle: dir, Spec: spec, Init: tc.code == 137})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.ForceDestroy() })
		p := &container.Process{}
		if err := c.Run(p); err != nil {
			t.Fatal(err)
		}
		st, err := p.WaitStatus()
		if err != nil || st.String() != tc.want || st.MaxRSS <= 0 {
			t.Errorf("%q: WaitStatus = %v (%s), %v; want %s and a peak RSS", tc.script, st, st.Usage(), err, tc.want)
		}
		if code, err := p.Wait(); err != nil || code != tc.code {
			t.Errorf("%q: Wait after WaitStatus = %d, %v; want %d", tc.script, code, err, tc.code)
		}
		if err := c.Destroy(); err != nil {
			t.Fatal(err)
		}
	}
	// Killed from the host, PID 1 dies by the signal.
	dir, spec := busyboxBundle(t, "sleep", "30")
	c, err := container.Create(stateRoot(t), "waitstatus-kill", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	p := &container.Process{}
	if err := c.Run(p); err != nil {
		t.Fatal(err)
	}
	if err := c.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st, err := p.WaitStatus()
	if err != nil || !st.Signaled || st.Signal != syscall.SIGKILL || st.String() != "killed by SIGKILL" {
		t.Errorf("after SIGKILL: %v, %v", st, err)
	}
	if code, _ := p.Wait(); code != 137 {
		t.Errorf("Wait after SIGKILL = %d, want 137", code)
	}
}
