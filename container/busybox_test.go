package container_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
)

// TestBusyboxRootfs runs a container whose rootfs is Debian's static
// busybox (apt-get install busybox-static) instead of toybox: any static
// multi-call binary makes a rootfs.
func TestBusyboxRootfs(t *testing.T) {
	needRoot(t)
	bb, err := exec.LookPath("busybox")
	if err == nil {
		out, _ := exec.Command("file", bb).Output()
		if len(out) > 0 && !strings.Contains(string(out), "statically linked") {
			err = os.ErrNotExist
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("busybox-static is not installed, and CI=true")
		}
		t.Skip("busybox-static is not installed")
	}
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "dev", "etc", "proc", "sys", "tmp"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, app := range []string{"sh", "hostname", "ps", "cat"} {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", app)); err != nil {
			t.Fatal(err)
		}
	}
	spec := bundle.DefaultSpec("sh", "-c", "hostname; ps -o pid,comm; cat /proc/self/uid_map")
	r := runContainer(t, stateRoot(t), "busybox", container.Config{Bundle: dir, Spec: spec})
	if r.status != 0 || !strings.HasPrefix(r.stdout, "deferio\nPID   COMMAND\n    1 sh\n") {
		t.Errorf("busybox container: status %d, stdout %q, stderr %q", r.status, r.stdout, r.stderr)
	}
}
