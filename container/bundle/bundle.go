// Package bundle makes OCI bundles for package container: the default
// configuration (what `nsinit config` writes) and a root filesystem made
// of one static multi-call binary (cmd/toybox) and its links. It is pure
// Go, with no cgo, and downloads nothing.
package bundle

import (
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// DefaultCapabilities are the capabilities the default process keeps in
// every set but the ambient one (the same three as `runc spec`).
var DefaultCapabilities = []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}

// DefaultSpec returns the default configuration for a container running
// args: new PID, network, IPC, UTS, mount and cgroup namespaces, a
// read-only root at "rootfs", /proc, /dev (tmpfs), /dev/pts, /dev/shm,
// /dev/mqueue, a read-only /sys and a /tmp tmpfs, the masked and
// read-only paths of `runc spec`, three capabilities, no_new_privs, and
// hostname "deferio".
func DefaultSpec(args ...string) *specs.Spec {
	if len(args) == 0 {
		args = []string{"sh"}
	}
	caps := func() []string { return append([]string(nil), DefaultCapabilities...) }
	return &specs.Spec{
		Version: specs.Version,
		Process: &specs.Process{
			Args: args,
			Env:  []string{"PATH=/bin:/usr/bin:/sbin:/usr/sbin", "TERM=xterm", "HOME=/root"},
			Cwd:  "/",
			Capabilities: &specs.LinuxCapabilities{
				Bounding: caps(), Effective: caps(), Permitted: caps(),
			},
			Rlimits:         []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}},
			NoNewPrivileges: true,
		},
		Root:     &specs.Root{Path: "rootfs", Readonly: true},
		Hostname: "deferio",
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}},
			{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
			{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
			{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "mode=1777", "size=65536k"}},
		},
		Linux: &specs.Linux{
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace}, {Type: specs.NetworkNamespace}, {Type: specs.IPCNamespace},
				{Type: specs.UTSNamespace}, {Type: specs.MountNamespace}, {Type: specs.CgroupNamespace},
			},
			MaskedPaths: []string{
				"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
				"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
			},
			ReadonlyPaths: []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"},
		},
	}
}

// WriteSpec writes spec as dir/config.json, indented, refusing to
// overwrite an existing file.
func WriteSpec(dir string, spec *specs.Spec) error {
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return fmt.Errorf("unable to encode the configuration: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "config.json"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("unable to write config.json: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("unable to write config.json: %w", err)
	}
	return f.Close()
}

// ReadSpec reads dir/config.json.
func ReadSpec(dir string) (*specs.Spec, error) {
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("unable to read the bundle's configuration: %w", err)
	}
	var s specs.Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("unable to parse %s: %w", filepath.Join(dir, "config.json"), err)
	}
	return &s, nil
}

// BuildRootfs makes dir (which must not exist or be empty) a root
// filesystem: the standard directories, /bin/toybox copied from toybox
// (a static binary, see cmd/toybox), a link /bin/NAME per applet that
// `toybox --list` names, /etc/passwd and /etc/group for root and
// nobody, and the /etc/hosts, /etc/hostname and /etc/resolv.conf that the
// runtime binds its own over.
func BuildRootfs(dir, toybox string) error {
	out, err := exec.Command(toybox, "--list").Output()
	if err != nil {
		return fmt.Errorf("unable to list the applets of %s: %w", toybox, err)
	}
	applets := strings.Fields(string(out))
	if len(applets) == 0 {
		return fmt.Errorf("unable to build a rootfs: %s lists no applets", toybox)
	}
	for _, d := range []string{"bin", "dev", "etc", "proc", "sys", "tmp", "root", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return fmt.Errorf("unable to create %s in the rootfs: %w", d, err)
		}
	}
	if err := copyFile(toybox, filepath.Join(dir, "bin", "toybox"), 0o755); err != nil {
		return err
	}
	for _, a := range applets {
		if strings.ContainsAny(a, "/.") {
			return fmt.Errorf("unable to link applet %q: not a plain name", a)
		}
		if err := os.Symlink("toybox", filepath.Join(dir, "bin", a)); err != nil && !os.IsExist(err) {
			return fmt.Errorf("unable to link applet %s: %w", a, err)
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
		"etc/group":  "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n",
		// The runtime binds its own over these three.
		"etc/hosts":       "127.0.0.1\tlocalhost\n",
		"etc/hostname":    "localhost\n",
		"etc/resolv.conf": "",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("unable to write %s: %w", name, err)
		}
	}
	return nil
}

// ErrNoStaticBusybox is wrapped by [StaticBusybox]'s error when this
// machine has no static busybox.
var ErrNoStaticBusybox = errors.New("no static busybox (Debian: apt-get install busybox-static)")

// StaticBusybox finds busybox in $PATH and checks that it is statically
// linked (its ELF file asks for no program interpreter), since a rootfs
// holds no libc for a dynamic one.
func StaticBusybox() (string, error) {
	bb, err := exec.LookPath("busybox")
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoStaticBusybox, err)
	}
	f, err := elf.Open(bb)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrNoStaticBusybox, bb, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%w: %s is dynamically linked", ErrNoStaticBusybox, bb)
		}
	}
	return bb, nil
}

// AddMultiCall copies a static multi-call binary into the rootfs at dir
// as /bin/NAME (NAME is path's base name) and points /bin/APPLET at it
// for each applet, replacing the link an applet had (toybox's sh, say).
// A toybox rootfs with busybox's sh, sleep and kill added has both
// toybox's lesson applets and a shell with background jobs.
func AddMultiCall(dir, path string, applets ...string) error {
	name := filepath.Base(path)
	if err := copyFile(path, filepath.Join(dir, "bin", name), 0o755); err != nil {
		return err
	}
	for _, a := range applets {
		if a == "" || strings.ContainsAny(a, "/.") || a == name {
			return fmt.Errorf("unable to link applet %q: not a plain name", a)
		}
		link := filepath.Join(dir, "bin", a)
		if err := os.Remove(link); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("unable to replace applet %s: %w", a, err)
		}
		if err := os.Symlink(name, link); err != nil {
			return fmt.Errorf("unable to link applet %s: %w", a, err)
		}
	}
	return nil
}

// Build makes a complete bundle in dir: rootfs/ from BuildRootfs and a
// config.json from DefaultSpec(args...).
func Build(dir, toybox string, args ...string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("unable to create the bundle directory: %w", err)
	}
	if err := BuildRootfs(filepath.Join(dir, "rootfs"), toybox); err != nil {
		return err
	}
	return WriteSpec(dir, DefaultSpec(args...))
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("unable to copy %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("unable to copy into %s: %w", dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("unable to copy into %s: %w", dst, err)
	}
	return out.Close()
}
