package container_test

import (
	"debug/elf"
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
	if err == nil && !static(bb) {
		err = os.ErrNotExist // a dynamic busybox has no libc in the rootfs
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

// static reports whether the ELF file at path is statically linked: it
// asks for no program interpreter (PT_INTERP), as file(1) would say.
func static(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}
