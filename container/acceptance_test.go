package container_test

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// section returns the lines printed between "== name" and the next "==".
func section(out, name string) []string {
	var lines []string
	in := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "== ") {
			in = l == "== "+name
			continue
		}
		if in {
			lines = append(lines, l)
		}
	}
	return lines
}

func script(parts ...string) []string {
	var b strings.Builder
	for i := 0; i+1 < len(parts); i += 2 {
		fmt.Fprintf(&b, "echo '== %s'; %s; ", parts[i], parts[i+1])
	}
	return []string{"sh", "-c", b.String()}
}

func TestContainerSeesOnlyItself(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, script(
		"hostname", "hostname",
		"ps", "ps",
		"ls", "ls /",
		"mountinfo", "cat /proc/self/mountinfo",
		"etc", "cat /etc/hostname",
	)...)
	spec.Hostname = "box1"
	r := runContainer(t, stateRoot(t), "sees-itself", container.Config{Bundle: dir, Spec: spec})
	if r.status != 0 {
		t.Fatalf("exit status %d, stderr %s", r.status, r.stderr)
	}
	if got := section(r.stdout, "hostname"); !slices.Equal(got, []string{"box1"}) {
		t.Errorf("hostname printed %q, want box1", got)
	}
	ps := section(r.stdout, "ps")
	if len(ps) != 2 || !strings.HasPrefix(strings.TrimSpace(ps[1]), "1 ") {
		t.Errorf("ps should show one process, PID 1; got %q", ps)
	}
	want := []string{"bin", "dev", "etc", "proc", "root", "run", "sys", "tmp"}
	if got := section(r.stdout, "ls"); !slices.Equal(got, want) {
		t.Errorf("ls / = %q, want the rootfs's entries %q", got, want)
	}
	for _, l := range section(r.stdout, "mountinfo") {
		// Field 5 is the mount point, as the container sees it.
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		mp := f[4]
		if strings.HasPrefix(mp, dir) || strings.HasPrefix(mp, "/sys/fs/cgroup") || strings.HasPrefix(mp, "/run/netns") || strings.HasPrefix(mp, "/mnt") {
			t.Errorf("a host mount is visible in the container: %s", l)
		}
	}
	if got := section(r.stdout, "etc"); !slices.Equal(got, []string{"box1"}) {
		t.Errorf("/etc/hostname = %q, want box1", got)
	}
}

func TestMaskedPathsAndReadonlyRoot(t *testing.T) {
	needRoot(t)
	host, err := os.ReadFile("/proc/timer_list")
	if err != nil || len(host) == 0 {
		t.Skipf("the host's /proc/timer_list is not readable (%v), nothing to mask", err)
	}
	dir, spec := newBundle(t, script(
		"masked", "cat /proc/timer_list",
		"maskedls", "ls -l /proc/timer_list",
		"acpi", "ls /proc/acpi",
		"root", "write /hello hi",
		"tmp", "write /tmp/hello hi",
		"sysrq", "write /proc/sys/kernel/hostname nope",
	)...)
	r := runContainer(t, stateRoot(t), "masked", container.Config{Bundle: dir, Spec: spec})
	if got := section(r.stdout, "masked"); len(got) != 0 {
		t.Errorf("masked /proc/timer_list printed %d lines, want none", len(got))
	}
	if got := section(r.stdout, "maskedls"); len(got) != 1 || !strings.HasPrefix(got[0], "Dc") {
		t.Errorf("masked /proc/timer_list should be the character device /dev/null; ls -l says %q", got)
	}
	if got := section(r.stdout, "acpi"); len(got) != 0 {
		t.Errorf("masked directory /proc/acpi lists %q, want nothing", got)
	}
	if !strings.Contains(r.stderr, "write: open /hello: read-only file system") {
		t.Errorf("writing to the read-only root should fail with EROFS; stderr: %s", r.stderr)
	}
	if strings.Contains(r.stderr, "/tmp/hello") {
		t.Errorf("writing to /tmp (a tmpfs) should work; stderr: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, "write: open /proc/sys/kernel/hostname: read-only file system") {
		t.Errorf("/proc/sys should be read-only; stderr: %s", r.stderr)
	}
}

func TestDroppedCapabilities(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, script("inspect", "inspect", "sethostname", "hostname other")...)
	r := runContainer(t, stateRoot(t), "caps", container.Config{Bundle: dir, Spec: spec})
	fields := map[string]string{}
	for _, l := range section(r.stdout, "inspect") {
		f := strings.Fields(l)
		if len(f) >= 3 && strings.HasPrefix(f[0], "Cap") {
			fields[f[0]] = f[2]
		}
	}
	for _, set := range []string{"CapBnd", "CapEff", "CapPrm"} {
		if fields[set] != "kill,net_bind_service,audit_write" {
			t.Errorf("%s = %q, want exactly kill,net_bind_service,audit_write", set, fields[set])
		}
	}
	if fields["CapAmb"] != "(none)" || fields["CapInh"] != "(none)" {
		t.Errorf("ambient %q and inheritable %q should be empty", fields["CapAmb"], fields["CapInh"])
	}
	if !strings.Contains(r.stderr, "hostname: operation not permitted") {
		t.Errorf("sethostname without CAP_SYS_ADMIN should fail with EPERM; stderr: %s", r.stderr)
	}
}

func TestUserNamespaceMapsUIDs(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, script("id", "id", "map", "cat /proc/self/uid_map", "gmap", "cat /proc/self/gid_map")...)
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	chownRootfs(t, dir, 100000)
	root := stateRoot(t)
	c, err := container.Create(root, "userns", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	defer c.ForceDestroy()
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	p := &container.Process{Stdout: out, Stderr: out}
	if err := c.Start(p); err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.State().Pid))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), "\nUid:\t100000\t100000\t100000\t100000\n") {
		t.Errorf("from the host, init should run as uid 100000:\n%s", status)
	}
	if err := c.Launch(); err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(); err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	b, _ := os.ReadFile(out.Name())
	got := string(b)
	if s := section(got, "id"); len(s) != 1 || !strings.HasPrefix(s[0], "uid=0 gid=0") {
		t.Errorf("inside, id = %q, want uid=0 gid=0", s)
	}
	for _, m := range []string{"map", "gmap"} {
		if s := section(got, m); len(s) != 1 || strings.Join(strings.Fields(s[0]), " ") != "0 100000 65536" {
			t.Errorf("%s = %q, want 0 100000 65536", m, s)
		}
	}
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
}
