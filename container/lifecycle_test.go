package container_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestPauseResumeStatsUpdate(t *testing.T) {
	needRoot(t)
	c, _ := startDetached(t, "pause", nil)
	if err := c.Resume(); !errors.Is(err, container.ErrIllegalTransition) {
		t.Errorf("Resume of a running container = %v, want ErrIllegalTransition", err)
	}
	if err := c.Pause(); err != nil {
		t.Fatal(err)
	}
	if st := c.Status(); st != container.Paused {
		t.Errorf("status %s after Pause, want paused", st)
	}
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.State().Pid))
	if !strings.Contains(string(status), "State:\tS") && !strings.Contains(string(status), "State:\tD") {
		t.Logf("frozen init's status: %s", status)
	}
	if err := c.Pause(); !errors.Is(err, container.ErrIllegalTransition) {
		t.Errorf("Pause of a paused container = %v, want ErrIllegalTransition", err)
	}
	if err := c.Resume(); err != nil {
		t.Fatal(err)
	}
	if st := c.Status(); st != container.Running {
		t.Errorf("status %s after Resume, want running", st)
	}
	limit := int64(64)
	if err := c.Update(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &limit}}); err != nil {
		t.Fatal(err)
	}
	st, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Pids.Current < 1 || st.Pids.Limit != 64 {
		t.Errorf("stats pids current %d limit %d, want >= 1 and 64", st.Pids.Current, st.Pids.Limit)
	}
	pids, err := c.Processes()
	if err != nil || len(pids) != 1 || pids[0] != c.State().Pid {
		t.Errorf("Processes() = %v, %v; want [%d]", pids, err, c.State().Pid)
	}
	if err := c.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// TestInitRunsFromSealedBinary: while a container is created, its init
// is still the runtime's binary; it must be a handle nobody can write
// (CVE-2019-5736), the binary on a detached read-only overlay, not the
// binary on disk.
func TestInitRunsFromSealedBinary(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "true")
	c, err := container.Create(stateRoot(t), "sealed", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	defer c.ForceDestroy()
	if err := c.Start(nil); err != nil {
		t.Fatal(err)
	}
	exe := fmt.Sprintf("/proc/%d/exe", c.State().Pid)
	target, err := os.Readlink(exe)
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A detached mount has no path: the kernel names the file from the
	// mount's root.
	if target != "/"+filepath.Base(self) {
		t.Fatalf("init runs %s, want /%s on the overlay", target, filepath.Base(self))
	}
	f, err := os.OpenFile(exe, os.O_WRONLY, 0)
	if err == nil {
		_, err = f.Write([]byte("#!/bin/evil\n"))
		f.Close()
	}
	if !errors.Is(err, unix.EROFS) {
		t.Fatalf("writing to init's executable: %v, want EROFS", err)
	}
	t.Logf("writing to %s: %v", target, err)
	ro, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(ro.Fd()), &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Type != unix.OVERLAYFS_SUPER_MAGIC || fs.Flags&unix.ST_RDONLY == 0 {
		t.Errorf("init's executable is on filesystem %#x with flags %#x, want a read-only overlay", fs.Type, fs.Flags)
	}
}

// TestJoinNamespaceByPath: a second container joins the first one's
// network and UTS namespaces by path, and sees its hostname.
func TestJoinNamespaceByPath(t *testing.T) {
	needRoot(t)
	first, _ := startDetached(t, "ns-owner", func(s *specs.Spec) { s.Hostname = "owner" })
	pid := first.State().Pid
	dir, spec := newBundle(t, "sh", "-c", "hostname; readlink /proc/self/ns/net")
	spec.Hostname = ""
	for i, ns := range spec.Linux.Namespaces {
		switch ns.Type {
		case specs.NetworkNamespace:
			spec.Linux.Namespaces[i].Path = fmt.Sprintf("/proc/%d/ns/net", pid)
		case specs.UTSNamespace:
			spec.Linux.Namespaces[i].Path = fmt.Sprintf("/proc/%d/ns/uts", pid)
		}
	}
	r := runContainer(t, stateRoot(t), "ns-joiner", container.Config{Bundle: dir, Spec: spec})
	want, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	if r.stdout != "owner\n"+want+"\n" {
		t.Errorf("joiner printed %q, want the owner's hostname and %s; stderr %s", r.stdout, want, r.stderr)
	}
}

// TestNoPivotRoot runs a container with the MS_MOVE and chroot fallback.
func TestNoPivotRoot(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "sh", "-c", "ls /; hostname")
	r := runContainer(t, stateRoot(t), "nopivot", container.Config{Bundle: dir, Spec: spec, NoPivotRoot: true})
	if r.stdout != "bin\ndev\netc\nproc\nroot\nrun\nsys\ntmp\ndeferio\n" {
		t.Errorf("with no_pivot_root, printed %q; stderr %s", r.stdout, r.stderr)
	}
}
