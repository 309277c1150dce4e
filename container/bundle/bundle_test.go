package bundle_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/deferio/deferio/container/bundle"
	"github.com/deferio/deferio/internal/gorun"
)

func TestDefaultSpecRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := bundle.WriteSpec(dir, bundle.DefaultSpec("echo", "hi")); err != nil {
		t.Fatal(err)
	}
	if err := bundle.WriteSpec(dir, bundle.DefaultSpec()); err == nil {
		t.Error("WriteSpec overwrote an existing config.json")
	}
	s, err := bundle.ReadSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Process.Args, []string{"echo", "hi"}) || !s.Root.Readonly || s.Hostname != "deferio" {
		t.Errorf("read back %+v", s.Process)
	}
	if len(s.Linux.MaskedPaths) == 0 || len(s.Linux.ReadonlyPaths) == 0 {
		t.Error("no masked or read-only paths")
	}
	if _, err := bundle.ReadSpec(t.TempDir()); err == nil {
		t.Error("ReadSpec of an empty directory succeeded")
	}
}

func TestBuildRootfs(t *testing.T) {
	goTool, err := gorun.GoTool()
	if err != nil {
		t.Skip(err)
	}
	toybox := filepath.Join(t.TempDir(), "toybox")
	cmd := exec.Command(goTool, "build", "-o", toybox, "github.com/deferio/deferio/cmd/toybox")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	dir := t.TempDir()
	if err := bundle.Build(dir, toybox, "true"); err != nil {
		t.Fatal(err)
	}
	for _, app := range []string{"ls", "cat", "ps", "id", "hostname", "mount", "echo", "sleep", "env", "pwd", "true", "false", "inspect", "sh"} {
		target, err := os.Readlink(filepath.Join(dir, "rootfs", "bin", app))
		if err != nil || target != "toybox" {
			t.Errorf("/bin/%s -> %q, %v; want toybox", app, target, err)
		}
	}
	out, err := exec.Command(filepath.Join(dir, "rootfs", "bin", "echo"), "via", "link").Output()
	if err != nil || string(out) != "via link\n" {
		t.Errorf("running /bin/echo through its link: %q %v", out, err)
	}
	if err := bundle.BuildRootfs(t.TempDir(), "/bin/false"); err == nil {
		t.Error("BuildRootfs accepted a binary that lists no applets")
	}

	// A second multi-call binary takes over some applets.
	rootfs := filepath.Join(dir, "rootfs")
	if err := bundle.AddMultiCall(rootfs, toybox+"-copy-does-not-exist", "sh"); err == nil {
		t.Error("AddMultiCall accepted a missing binary")
	}
	second := filepath.Join(t.TempDir(), "other")
	if err := os.Link(toybox, second); err != nil {
		t.Fatal(err)
	}
	if err := bundle.AddMultiCall(rootfs, second, "sh", "sleep"); err != nil {
		t.Fatal(err)
	}
	for app, want := range map[string]string{"sh": "other", "sleep": "other", "ls": "toybox"} {
		if target, err := os.Readlink(filepath.Join(rootfs, "bin", app)); err != nil || target != want {
			t.Errorf("/bin/%s -> %q, %v; want %s", app, target, err, want)
		}
	}
	if err := bundle.AddMultiCall(rootfs, second, "../etc/passwd"); err == nil {
		t.Error("AddMultiCall accepted an applet name with a slash")
	}
}

func TestStaticBusybox(t *testing.T) {
	bb, err := bundle.StaticBusybox()
	if err != nil {
		if !errors.Is(err, bundle.ErrNoStaticBusybox) {
			t.Fatalf("error %v does not wrap ErrNoStaticBusybox", err)
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v, and CI=true (.ci/run installs busybox-static)", err)
		}
		t.Skip(err)
	}
	if out, err := exec.Command(bb, "true").CombinedOutput(); err != nil {
		t.Errorf("%s true: %v %s", bb, err, out)
	}
}
