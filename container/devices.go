package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func fileMode(m os.FileMode) *os.FileMode { return &m }

// defaultDevices are the nodes every container's /dev gets (the OCI
// runtime-spec's list of default devices).
var defaultDevices = []specs.LinuxDevice{
	{Path: "/dev/null", Type: "c", Major: 1, Minor: 3, FileMode: fileMode(0o666)},
	{Path: "/dev/zero", Type: "c", Major: 1, Minor: 5, FileMode: fileMode(0o666)},
	{Path: "/dev/full", Type: "c", Major: 1, Minor: 7, FileMode: fileMode(0o666)},
	{Path: "/dev/random", Type: "c", Major: 1, Minor: 8, FileMode: fileMode(0o666)},
	{Path: "/dev/urandom", Type: "c", Major: 1, Minor: 9, FileMode: fileMode(0o666)},
	{Path: "/dev/tty", Type: "c", Major: 5, Minor: 0, FileMode: fileMode(0o666)},
}

// devSymlinks are the links of a standard /dev.
var devSymlinks = [][2]string{
	{"/proc/self/fd", "/dev/fd"},
	{"/proc/self/fd/0", "/dev/stdin"},
	{"/proc/self/fd/1", "/dev/stdout"},
	{"/proc/self/fd/2", "/dev/stderr"},
	{"/proc/kcore", "/dev/core"},
}

// createDevices fills the container's /dev (a fresh tmpfs) with the
// default devices and the spec's. Outside a user namespace it calls
// mknod(2); inside one, where mknod is refused, it bind mounts the host's
// node onto an empty file, as runc does.
func createDevices(rootfs string, extra []specs.LinuxDevice, userns bool) error {
	devs := append([]specs.LinuxDevice{}, defaultDevices...)
	for _, d := range extra {
		replaced := false
		for i := range devs {
			if devs[i].Path == d.Path {
				devs[i], replaced = d, true
			}
		}
		if !replaced {
			devs = append(devs, d)
		}
	}
	for _, d := range devs {
		dest, err := secureJoin(rootfs, d.Path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return fmt.Errorf("unable to create the directory of %s: %w", d.Path, err)
		}
		if userns {
			if err := makeTarget(dest, false); err != nil {
				return err
			}
			if err := unix.Mount(d.Path, dest, "", unix.MS_BIND, ""); err != nil {
				return fmt.Errorf("unable to bind the host's %s into the container: %w", d.Path, err)
			}
			continue
		}
		var mode uint32
		switch d.Type {
		case "c", "u":
			mode = unix.S_IFCHR
		case "b":
			mode = unix.S_IFBLK
		case "p":
			mode = unix.S_IFIFO
		default:
			return fmt.Errorf("unable to create device %s: unknown type %q (want c, u, b or p)", d.Path, d.Type)
		}
		perm := uint32(0o666)
		if d.FileMode != nil {
			perm = uint32(d.FileMode.Perm())
		}
		if err := unix.Mknod(dest, mode|perm, int(unix.Mkdev(uint32(d.Major), uint32(d.Minor)))); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("unable to create device %s (%d:%d): %w", d.Path, d.Major, d.Minor, err)
		}
		uid, gid := 0, 0
		if d.UID != nil {
			uid = int(*d.UID)
		}
		if d.GID != nil {
			gid = int(*d.GID)
		}
		if err := unix.Lchown(dest, uid, gid); err != nil {
			return fmt.Errorf("unable to chown device %s: %w", d.Path, err)
		}
	}
	links := devSymlinks
	if fi, err := os.Stat(filepath.Join(rootfs, "dev/pts")); err == nil && fi.IsDir() {
		links = append(links, [2]string{"pts/ptmx", "/dev/ptmx"})
	}
	for _, l := range links {
		if err := os.Symlink(l[0], filepath.Join(rootfs, l[1])); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("unable to create the link %s -> %s: %w", l[1], l[0], err)
		}
	}
	return nil
}
