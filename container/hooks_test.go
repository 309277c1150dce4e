package container_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// recordScript is a hook that appends one line to the file $2: the kind
// ($1), the uptime, its mount and PID namespaces, the comm of the pid its
// state names, $HOOKVAR and the state it read on stdin. It runs under
// the host's dash and the container's busybox sh alike.
const recordScript = `st=$(cat)
pid=$(echo "$st" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
comm=$(cat /proc/$pid/comm 2>/dev/null || echo none)
echo "$1 $(cut -d' ' -f1 /proc/uptime) $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/pid) $comm $HOOKVAR $st" >> "$2"`

// recordHook returns a hook of kind that records into log.
func recordHook(kind, log string) specs.Hook {
	return specs.Hook{
		Path: "/bin/sh",
		Args: []string{"sh", "-c", recordScript, "sh", kind, log},
		Env:  []string{"PATH=/usr/bin:/bin", "HOOKVAR=var-" + kind},
	}
}

// hookLine is one line a recordHook wrote.
type hookLine struct {
	kind, mnt, pidns, comm, hookvar string
	uptime                          float64
	state                           specs.State
}

func readHookLog(t *testing.T, log string) []hookLine {
	t.Helper()
	b, err := os.ReadFile(log)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []hookLine
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(l, " ", 7)
		if len(f) != 7 {
			t.Fatalf("hook log line %q", l)
		}
		h := hookLine{kind: f[0], mnt: f[2], pidns: f[3], comm: f[4], hookvar: f[5]}
		h.uptime, _ = strconv.ParseFloat(f[1], 64)
		if err := json.Unmarshal([]byte(f[6]), &h.state); err != nil {
			t.Fatalf("hook %s state %q: %v", f[0], f[6], err)
		}
		out = append(out, h)
	}
	return out
}

func kinds(lines []hookLine) []string {
	var k []string
	for _, l := range lines {
		k = append(k, l.kind)
	}
	return k
}

// hookBundle is a busybox bundle running args, with the applets the
// record script needs and the host directory rec bound at /rec.
func hookBundle(t *testing.T, rec string, args ...string) (string, *specs.Spec) {
	t.Helper()
	dir, spec := busyboxBundle(t, args...)
	rootfs := filepath.Join(dir, "rootfs")
	if err := bundle.AddMultiCall(rootfs, staticBusybox(t), "readlink", "sed", "cut", "false"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(rootfs, "rec"), 0o755); err != nil {
		t.Fatal(err)
	}
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/rec", Type: "bind", Source: rec, Options: []string{"bind", "rw"}})
	return dir, spec
}

func nsLink(t *testing.T, pid, ns string) string {
	t.Helper()
	l, err := os.Readlink("/proc/" + pid + "/ns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestHooksRunInOrder: every kind of hook runs once, in the lifecycle's
// order and at its moment (prestart, createRuntime and createContainer
// during Start; startContainer and poststart during Launch; poststop
// during Destroy), in the namespaces the specification names (the
// runtime's mount namespace, or the container's for createContainer and
// startContainer), with its args and env, and with the state on stdin:
// status creating, created, running or stopped, and init's pid as seen
// where the hook runs (1 inside the PID namespace).
func TestHooksRunInOrder(t *testing.T) {
	needRoot(t)
	rec := t.TempDir()
	hostLog := filepath.Join(rec, "log")
	dir, spec := hookBundle(t, rec, "sleep", "30")
	spec.Annotations = map[string]string{"org.example.hooks": "a b"}
	spec.Hooks = &specs.Hooks{
		//lint:ignore SA1019 prestart is deprecated, and still run
		Prestart:        []specs.Hook{recordHook("prestart", hostLog)},
		CreateRuntime:   []specs.Hook{recordHook("createRuntime", hostLog)},
		CreateContainer: []specs.Hook{recordHook("createContainer", hostLog)},
		StartContainer:  []specs.Hook{recordHook("startContainer", "/rec/log")}, // the container's /bin/sh and path
		Poststart:       []specs.Hook{recordHook("poststart", hostLog)},
		Poststop:        []specs.Hook{recordHook("poststop", hostLog)},
	}
	root := stateRoot(t)
	c, err := container.Create(root, "hooks", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	if err := c.Start(nil); err != nil {
		t.Fatal(err)
	}
	if got := kinds(readHookLog(t, hostLog)); !slices.Equal(got, []string{"prestart", "createRuntime", "createContainer"}) {
		t.Fatalf("hooks after Start: %v", got)
	}
	pid := c.State().Pid
	self, inside := nsLink(t, "self", "mnt"), nsLink(t, strconv.Itoa(pid), "mnt")
	// Another runtime process starts it, as `nsinit start` does.
	other, err := container.Load(root, "hooks")
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Launch(); err != nil {
		t.Fatal(err)
	}
	if got := kinds(readHookLog(t, hostLog)); !slices.Equal(got, []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart"}) {
		t.Fatalf("hooks after Launch: %v", got)
	}
	if err := c.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.InitProcess().Wait()
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	lines := readHookLog(t, hostLog)
	if got := kinds(lines); !slices.Equal(got, []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}) {
		t.Fatalf("hooks after Destroy: %v", got)
	}
	want := map[string]struct {
		mnt    string
		status specs.ContainerState
		pid    int
	}{
		"prestart":        {self, "creating", pid},
		"createRuntime":   {self, "creating", pid},
		"createContainer": {inside, "creating", 1},
		"startContainer":  {inside, "created", 1},
		"poststart":       {self, "running", pid},
		"poststop":        {self, "stopped", 0},
	}
	for i, l := range lines {
		w := want[l.kind]
		st := l.state
		if l.mnt != w.mnt || st.Status != w.status || st.Pid != w.pid || st.ID != "hooks" || st.Bundle != dir ||
			st.Annotations["org.example.hooks"] != "a b" || l.hookvar != "var-"+l.kind {
			t.Errorf("%s hook: mnt %s, hookvar %s, state %+v; want mnt %s, status %s, pid %d", l.kind, l.mnt, l.hookvar, st, w.mnt, w.status, w.pid)
		}
		if i > 0 && l.uptime < lines[i-1].uptime {
			t.Errorf("%s hook ran at %.2f, before %s at %.2f", l.kind, l.uptime, lines[i-1].kind, lines[i-1].uptime)
		}
	}
	// The program runs by poststart and not yet at startContainer.
	if lines[4].comm != "sleep" || lines[3].comm == "sleep" {
		t.Errorf("comm of the container's pid: %q at startContainer, %q at poststart; want the program only at poststart", lines[3].comm, lines[4].comm)
	}
}

// gone reports whether pid has exited (a zombie counts as exited).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || strings.HasPrefix(s[i+1:], " Z")
}

// TestFailingHookTearsDown: a failing hook of each kind that the
// lifecycle makes fatal fails its operation with the hook's output in the
// error, and the container is removed: no init, no cgroup, no state, and
// the poststop hooks ran (lifecycle step 13). startContainer and
// poststart fail a Launch made by another handle, as `nsinit start` is.
func TestFailingHookTearsDown(t *testing.T) {
	needRoot(t)
	for _, kind := range []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart"} {
		t.Run(kind, func(t *testing.T) {
			rec := t.TempDir()
			log := filepath.Join(rec, "log")
			dir, spec := hookBundle(t, rec, "sleep", "30")
			bad := []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "echo hook-says-no >&2; exit 3"}}}
			spec.Hooks = &specs.Hooks{Poststop: []specs.Hook{recordHook("poststop", log)}}
			switch kind {
			case "prestart":
				//lint:ignore SA1019 prestart is deprecated, and still run
				spec.Hooks.Prestart = bad
			case "createRuntime":
				spec.Hooks.CreateRuntime = bad
			case "createContainer":
				spec.Hooks.CreateContainer = bad
			case "startContainer":
				spec.Hooks.StartContainer = bad
			case "poststart":
				spec.Hooks.Poststart = bad
			}
			root := stateRoot(t)
			c, err := container.Create(root, "failing", container.Config{Bundle: dir, Spec: spec})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.ForceDestroy() })
			err = c.Start(nil)
			if kind == "startContainer" || kind == "poststart" {
				if err != nil {
					t.Fatal(err)
				}
				other, lerr := container.Load(root, "failing")
				if lerr != nil {
					t.Fatal(lerr)
				}
				err = other.Launch()
			}
			wantErr := fmt.Sprintf("unable to run %s hook 0 (/bin/sh): exit status 3: hook-says-no", kind)
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("error %v, want one with %q", err, wantErr)
			}
			if entries, _ := os.ReadDir(root); len(entries) != 0 {
				t.Errorf("the state root holds %d entries", len(entries))
			}
			if left, _ := filepath.Glob("/sys/fs/cgroup/*" + spec.Linux.CgroupsPath); len(left) != 0 {
				t.Errorf("cgroup directories left: %v", left)
			}
			if pid := c.State().Pid; pid == 0 || !gone(pid) {
				t.Errorf("init (pid %d) is still there", pid)
			}
			if got := kinds(readHookLog(t, log)); !slices.Equal(got, []string{"poststop"}) {
				t.Errorf("hooks that recorded: %v, want the poststop one", got)
			}
		})
	}
}

// TestHookTimeout: a hook that outlives its timeout is killed with what
// it started (its process group), and the error says so.
func TestHookTimeout(t *testing.T) {
	needRoot(t)
	dir, spec := busyboxBundle(t, "true")
	pidFile := filepath.Join(t.TempDir(), "pid")
	one := 1
	spec.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{
		Path:    "/bin/sh",
		Args:    []string{"sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"},
		Timeout: &one,
	}}}
	root := stateRoot(t)
	c, err := container.Create(root, "hanging", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	begin := time.Now()
	err = c.Start(nil)
	if took := time.Since(begin); took > 20*time.Second {
		t.Errorf("Start took %v with a hook timeout of 1s", took)
	}
	if err == nil || !strings.Contains(err.Error(), "killed after its timeout of 1s") {
		t.Fatalf("Start: %v, want a timeout error", err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	sleeper, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for deadline := time.Now().Add(5 * time.Second); !gone(sleeper) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !gone(sleeper) {
		t.Errorf("the hook's child %d outlived the timeout", sleeper)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("the state root holds %d entries", len(entries))
	}
}

// TestPoststopFailureWarns: a failing poststop hook is a warning; delete
// succeeds and the next poststop hook still runs.
func TestPoststopFailureWarns(t *testing.T) {
	needRoot(t)
	rec := t.TempDir()
	log := filepath.Join(rec, "log")
	dir, spec := busyboxBundle(t, "true")
	spec.Hooks = &specs.Hooks{Poststop: []specs.Hook{
		{Path: "/bin/sh", Args: []string{"sh", "-c", "exit 7"}},
		recordHook("poststop", log),
	}}
	var warnings bytes.Buffer
	container.WarnTo(&warnings)
	t.Cleanup(func() { container.WarnTo(os.Stderr) })
	r := runContainer(t, stateRoot(t), "poststop", container.Config{Bundle: dir, Spec: spec})
	if r.status != 0 {
		t.Fatalf("status %d, stderr %q", r.status, r.stderr)
	}
	if !strings.Contains(warnings.String(), "warning: container poststop: poststop hook 0 (/bin/sh) failed: exit status 7") {
		t.Errorf("warnings: %q", warnings.String())
	}
	if got := kinds(readHookLog(t, log)); !slices.Equal(got, []string{"poststop"}) {
		t.Errorf("hooks that recorded: %v", got)
	}
}

// TestValidateHooks: a relative hook path and a timeout of zero are
// refused before anything is made.
func TestValidateHooks(t *testing.T) {
	cfg := validConfig(t)
	zero := 0
	cfg.Spec.Hooks = &specs.Hooks{
		CreateRuntime: []specs.Hook{{Path: "bin/hook"}},
		Poststop:      []specs.Hook{{Path: "/bin/true", Timeout: &zero}},
	}
	err := cfg.Validate()
	for _, want := range []string{`hooks.createRuntime[0]: path "bin/hook" is not absolute`, "hooks.poststop[0]: timeout 0 is not above zero"} {
		if !errors.Is(err, container.ErrInvalidConfig) || !strings.Contains(fmt.Sprint(err), want) {
			t.Errorf("Validate: %v, want %q", err, want)
		}
	}
}
