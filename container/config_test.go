package container_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateID(t *testing.T) {
	good := []string{"a", "web-1", "A.b_c", strings.Repeat("x", container.MaxIDLength)}
	for _, id := range good {
		if err := container.ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q) = %v, want nil", id, err)
		}
	}
	bad := []string{"", ".", "..", "../x", "a/b", "/abs", "a b", "ü", "x\x00", strings.Repeat("x", container.MaxIDLength+1)}
	for _, id := range bad {
		err := container.ValidateID(id)
		if !errors.Is(err, container.ErrInvalidID) {
			t.Errorf("ValidateID(%q) = %v, want ErrInvalidID", id, err)
		}
	}
}

func FuzzValidateID(f *testing.F) {
	for _, s := range []string{"a", "../x", "a/b", ".", "web.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if container.ValidateID(id) != nil {
			return
		}
		// A valid ID is one plain name: joining it never leaves the root.
		if filepath.Base(id) != id || filepath.Clean("/root/"+id) != "/root/"+id || id == "." || id == ".." {
			t.Fatalf("ValidateID accepted %q, which is a path", id)
		}
	})
}

// emptySpec is a bundle-less spec for validation tests: the rootfs is a
// fresh directory.
func validConfig(t *testing.T) container.Config {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	return container.Config{Bundle: dir, Spec: bundle.DefaultSpec("true")}
}

func TestValidateConfig(t *testing.T) {
	if err := validConfig(t).Validate(); err != nil {
		t.Fatalf("the default config is invalid: %v", err)
	}
	for _, v := range []string{"1.0.0", "1.0.2-dev", "1.3.0+build.5", "1.0.0-rc.1"} {
		cfg := validConfig(t)
		cfg.Spec.Version = v
		if err := cfg.Validate(); err != nil {
			t.Errorf("ociVersion %q refused: %v", v, err)
		}
	}
	cases := []struct {
		name   string
		mutate func(*container.Config)
		want   string
	}{
		{"unknown namespace", func(c *container.Config) {
			c.Spec.Linux.Namespaces = append(c.Spec.Linux.Namespaces, specs.LinuxNamespace{Type: "time-travel"})
		}, `unknown namespace type "time-travel"`},
		{"missing rootfs", func(c *container.Config) { c.Spec.Root.Path = "nowhere" }, "does not exist"},
		{"no mount namespace", func(c *container.Config) {
			c.Spec.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.PIDNamespace}}
		}, "a new mount namespace is required"},
		{"duplicate namespace", func(c *container.Config) {
			c.Spec.Linux.Namespaces = append(c.Spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.PIDNamespace})
		}, "listed twice"},
		{"userns without maps", func(c *container.Config) {
			c.Spec.Linux.Namespaces = append(c.Spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		}, "uidMappings and gidMappings are needed"},
		{"maps without userns", func(c *container.Config) {
			c.Spec.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 1, Size: 1}}
		}, "no new user namespace"},
		{"hostname without uts", func(c *container.Config) {
			c.Spec.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.MountNamespace}}
		}, "needs a new uts namespace"},
		{"relative cwd", func(c *container.Config) { c.Spec.Process.Cwd = "tmp" }, "process.cwd"},
		{"no args", func(c *container.Config) { c.Spec.Process.Args = nil }, "process.args is empty"},
		{"unknown capability", func(c *container.Config) {
			c.Spec.Process.Capabilities.Bounding = append(c.Spec.Process.Capabilities.Bounding, "CAP_TELEPATHY")
		}, `unknown capability "CAP_TELEPATHY"`},
		{"unknown rlimit", func(c *container.Config) {
			c.Spec.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_JOY"}}
		}, `unknown type "RLIMIT_JOY"`},
		{"namespace path missing", func(c *container.Config) {
			c.Spec.Linux.Namespaces[1].Path = "/proc/999999999/ns/net"
		}, "network namespace path"},
		{"relative mount", func(c *container.Config) { c.Spec.Mounts[0].Destination = "proc" }, "not absolute"},
		{"no process", func(c *container.Config) { c.Spec.Process = nil }, "process is missing"},
		{"sysctl path", func(c *container.Config) {
			c.Spec.Linux.Sysctl = map[string]string{"../../etc/passwd": "x"}
		}, "not a dotted name"},
		{"ociVersion not semver", func(c *container.Config) { c.Spec.Version = "invalid" }, `ociVersion "invalid" is not a SemVer`},
		{"ociVersion leading zero", func(c *container.Config) { c.Spec.Version = "1.02.0" }, `ociVersion "1.02.0" is not a SemVer`},
		{"ociVersion 2", func(c *container.Config) { c.Spec.Version = "2.0.0" }, "ociVersion 2.0.0 is not supported"},
		{"unknown rootfs propagation", func(c *container.Config) { c.Spec.Linux.RootfsPropagation = "sharedish" }, `linux.rootfsPropagation "sharedish"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig(t)
			tc.mutate(&cfg)
			err := cfg.Validate()
			if !errors.Is(err, container.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want ErrInvalidConfig mentioning %q", err, tc.want)
			}
		})
	}
}

// TestBadConfigCreatesNothing: Create with a bad ID or config returns a
// clear error and leaves the state root as it was.
func TestBadConfigCreatesNothing(t *testing.T) {
	root := t.TempDir()
	cases := map[string]func() error{
		"id ../x": func() error {
			_, err := container.Create(root, "../x", validConfig(t))
			return err
		},
		"unknown namespace": func() error {
			cfg := validConfig(t)
			cfg.Spec.Linux.Namespaces[0].Type = "bogus"
			_, err := container.Create(root, "ns", cfg)
			return err
		},
		"ociVersion invalid": func() error {
			cfg := validConfig(t)
			cfg.Spec.Version = "invalid"
			_, err := container.Create(root, "version", cfg)
			return err
		},
		"unknown rootfs propagation": func() error {
			cfg := validConfig(t)
			cfg.Spec.Linux.RootfsPropagation = "bogus"
			_, err := container.Create(root, "propagation", cfg)
			return err
		},
		"missing rootfs": func() error {
			cfg := validConfig(t)
			cfg.Spec.Root.Path = "/no/such/rootfs"
			_, err := container.Create(root, "rootfs", cfg)
			return err
		},
	}
	for name, create := range cases {
		if err := create(); err == nil {
			t.Errorf("%s: Create succeeded", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("the state root holds %d entries after failed creates, want none", len(entries))
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(root), "x")); err == nil {
		t.Errorf("Create(../x) made a directory outside the root")
	}
}

func TestCreateTwice(t *testing.T) {
	root := t.TempDir()
	if _, err := container.Create(root, "twice", validConfig(t)); err != nil {
		t.Fatal(err)
	}
	_, err := container.Create(root, "twice", validConfig(t))
	if !errors.Is(err, container.ErrExist) {
		t.Fatalf("second Create = %v, want ErrExist", err)
	}
	c, err := container.Load(root, "twice")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status() != container.Creating {
		t.Errorf("status %s, want creating", c.Status())
	}
	if _, err := container.Load(root, "absent"); !errors.Is(err, container.ErrNotExist) {
		t.Errorf("Load(absent) = %v, want ErrNotExist", err)
	}
	if err := c.Destroy(); !errors.Is(err, container.ErrIllegalTransition) {
		t.Errorf("Destroy of a creating container = %v, want ErrIllegalTransition", err)
	}
	if err := c.ForceDestroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.Dir()); !os.IsNotExist(err) {
		t.Errorf("state directory still there after ForceDestroy: %v", err)
	}
}

// TestLoadInterruptedCreate: a state directory without state.json (Create
// killed between mkdir and the first write) loads as "creating", refuses
// to start, and ForceDestroy removes it.
func TestLoadInterruptedCreate(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "half"), 0o711); err != nil {
		t.Fatal(err)
	}
	c, err := container.Load(root, "half")
	if err != nil {
		t.Fatal(err)
	}
	if st := c.Status(); st != container.Creating {
		t.Errorf("status %s, want creating", st)
	}
	if err := c.Start(nil); err == nil || !strings.Contains(err.Error(), "no state.json yet") {
		t.Errorf("Start: %v", err)
	}
	if err := c.ForceDestroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "half")); !os.IsNotExist(err) {
		t.Errorf("the directory is still there: %v", err)
	}
}

// TestCgroupInUse: a second container whose cgroup already holds the
// processes of another (the same ID under another state root, here) is
// refused with ErrExist, its state directory is removed, and the first
// container is untouched: its init lives and its cgroup stays.
func TestCgroupInUse(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "sleep", "60")
	cfg := container.Config{Bundle: dir, Spec: spec}
	first, err := container.Create(stateRoot(t), "shared", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.ForceDestroy() })
	if err := first.Start(nil); err != nil {
		t.Fatal(err)
	}
	root2 := stateRoot(t)
	second, err := container.Create(root2, "shared", cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = second.Start(nil)
	if !errors.Is(err, container.ErrExist) || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("Start of a second container in the same cgroup = %v, want ErrExist saying it is in use", err)
	}
	if _, err := os.Stat(second.Dir()); !os.IsNotExist(err) {
		t.Errorf("the refused container's state directory is still there: %v", err)
	}
	// Cleaning up the refused handle must not touch the cgroup either.
	if err := second.ForceDestroy(); err != nil {
		t.Errorf("ForceDestroy of the refused container: %v", err)
	}
	if st := first.Status(); st != container.Created {
		t.Errorf("the first container is %s after the refusal, want created", st)
	}
	for h, d := range first.State().CgroupPaths {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("the first container's %s cgroup: %v", h, err)
		}
	}
	if err := first.ForceDestroy(); err != nil {
		t.Fatal(err)
	}
}

// TestForceDestroyKillsInEveryHierarchy: a runtime killed in the middle of
// moving init into its cgroup leaves it in the first hierarchies only.
// ForceDestroy must find and kill a process that is in one hierarchy of
// the cgroup and not in the one Pids reads, then remove everything.
func TestForceDestroyKillsInEveryHierarchy(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "sleep", "60")
	c, err := container.Create(stateRoot(t), "partial", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	if err := c.Start(nil); err != nil {
		t.Fatal(err)
	}
	paths := c.State().CgroupPaths
	target := ""
	for _, k := range []string{"blkio", "cpu", "memory", "unified"} {
		if paths[k] != "" && k != "pids" {
			target = paths[k]
			break
		}
	}
	if target == "" {
		for _, p := range paths {
			target = p
		}
	}
	stray := exec.Command("sleep", "60")
	if err := stray.Start(); err != nil {
		t.Fatal(err)
	}
	defer stray.Process.Kill()
	exited := make(chan struct{})
	go func() { stray.Wait(); close(exited) }()
	if err := os.WriteFile(filepath.Join(target, "cgroup.procs"), []byte(strconv.Itoa(stray.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.ForceDestroy(); err != nil {
		t.Fatalf("ForceDestroy with a process in %s only: %v", target, err)
	}
	select {
	case <-exited: // killed (the cgroup emptied, so it is at least dying)
	case <-time.After(30 * time.Second):
		t.Errorf("the process in %s survived ForceDestroy", target)
	}
	for h, d := range paths {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s cgroup %s is still there: %v", h, d, err)
		}
	}
}
