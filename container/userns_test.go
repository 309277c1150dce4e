package container_test

import (
	"os"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestUserNamespaceRootfsUnreachable: with a new user namespace, a rootfs
// under a directory the container's root (a host uid) cannot search is
// refused at start with an error that says so, and nothing is left; the
// same bundle starts once the directory is searchable.
func TestUserNamespaceRootfsUnreachable(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "true")
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	chownRootfs(t, dir, 100000)
	root := stateRoot(t)
	if err := os.Chmod(dir, 0o700); err != nil { // the bundle, above the rootfs
		t.Fatal(err)
	}
	c, err := container.Create(root, "userns-unreachable", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Start(&container.Process{})
	if err == nil {
		c.ForceDestroy()
		t.Fatal("Start succeeded with a rootfs that host uid 100000 cannot reach")
	}
	for _, want := range []string{"permission denied", "host uid 100000", "search permission"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Start: %v; want it to say %q", err, want)
		}
	}
	if entries, err := os.ReadDir(root); err != nil || len(entries) != 0 {
		t.Errorf("the state root holds %d entries (%v), want none", len(entries), err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := runContainer(t, root, "userns-reachable", container.Config{Bundle: dir, Spec: spec}); r.status != 0 {
		t.Errorf("with the bundle searchable: exit %d, stderr %s", r.status, r.stderr)
	}
}
