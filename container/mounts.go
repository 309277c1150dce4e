package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// mountOptions is a spec mount's options split the way mount(8) does:
// flags for mount(2), propagation changes applied afterwards, and the rest
// passed to the filesystem as data.
type mountOptions struct {
	flags       uintptr
	clear       uintptr
	propagation []uintptr
	data        []string
	bind        bool
	recursive   bool
}

var flagOptions = map[string]struct {
	clear bool
	flag  uintptr
}{
	"ro": {false, unix.MS_RDONLY}, "rw": {true, unix.MS_RDONLY},
	"nosuid": {false, unix.MS_NOSUID}, "suid": {true, unix.MS_NOSUID},
	"nodev": {false, unix.MS_NODEV}, "dev": {true, unix.MS_NODEV},
	"noexec": {false, unix.MS_NOEXEC}, "exec": {true, unix.MS_NOEXEC},
	"sync": {false, unix.MS_SYNCHRONOUS}, "async": {true, unix.MS_SYNCHRONOUS},
	"noatime": {false, unix.MS_NOATIME}, "atime": {true, unix.MS_NOATIME},
	"nodiratime": {false, unix.MS_NODIRATIME}, "diratime": {true, unix.MS_NODIRATIME},
	"relatime": {false, unix.MS_RELATIME}, "norelatime": {true, unix.MS_RELATIME},
	"strictatime": {false, unix.MS_STRICTATIME}, "nostrictatime": {true, unix.MS_STRICTATIME},
	"mand": {false, unix.MS_MANDLOCK}, "nomand": {true, unix.MS_MANDLOCK},
	"dirsync": {false, unix.MS_DIRSYNC}, "remount": {false, unix.MS_REMOUNT},
}

var propagationOptions = map[string]uintptr{
	"private": unix.MS_PRIVATE, "rprivate": unix.MS_PRIVATE | unix.MS_REC,
	"shared": unix.MS_SHARED, "rshared": unix.MS_SHARED | unix.MS_REC,
	"slave": unix.MS_SLAVE, "rslave": unix.MS_SLAVE | unix.MS_REC,
	"unbindable": unix.MS_UNBINDABLE, "runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

func parseMountOptions(opts []string) mountOptions {
	var o mountOptions
	for _, opt := range opts {
		if f, ok := flagOptions[opt]; ok {
			if f.clear {
				o.flags &^= f.flag
				o.clear |= f.flag
			} else {
				o.flags |= f.flag
			}
			continue
		}
		if p, ok := propagationOptions[opt]; ok {
			o.propagation = append(o.propagation, p)
			continue
		}
		switch opt {
		case "bind":
			o.bind = true
		case "rbind":
			o.bind, o.recursive = true, true
		default:
			o.data = append(o.data, opt)
		}
	}
	return o
}

// lockedFlags returns the mount flags of path that a remount inside a user
// namespace must keep (the kernel refuses to clear nosuid, nodev, noexec,
// atime flags locked by a more privileged namespace).
func lockedFlags(path string) uintptr {
	var st unix.Statfs_t
	if unix.Statfs(path, &st) != nil {
		return 0
	}
	var f uintptr
	for _, m := range []struct{ st, ms uintptr }{
		{unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV}, {unix.ST_NOEXEC, unix.MS_NOEXEC},
		{unix.ST_NOATIME, unix.MS_NOATIME}, {unix.ST_NODIRATIME, unix.MS_NODIRATIME}, {unix.ST_RELATIME, unix.MS_RELATIME},
	} {
		if uintptr(st.Flags)&m.st != 0 {
			f |= m.ms
		}
	}
	return f
}

// remountBind applies flags (ro, nosuid ...) to the bind mount at path.
func remountBind(path string, flags uintptr) error {
	flags |= lockedFlags(path)
	if err := unix.Mount("", path, "", unix.MS_BIND|unix.MS_REMOUNT|flags, ""); err != nil {
		return fmt.Errorf("unable to remount %s with flags %#x: %w", path, flags, err)
	}
	return nil
}

// mountSpec mounts one of the spec's mounts under rootfs. The mount point
// is resolved inside rootfs twice: by secureJoin, to create it, and then,
// race-free, by openat2(RESOLVE_IN_ROOT), whose descriptor is what the
// mount goes onto (through /proc/self/fd/N). A path swapped for a symbolic
// link between the two (CVE-2021-30465) then still lands inside rootfs.
func mountSpec(rootfs, bundle string, m specs.Mount) error {
	dest, err := secureJoin(rootfs, m.Destination)
	if err != nil {
		return err
	}
	o := parseMountOptions(m.Options)
	if m.Type == "bind" {
		o.bind = true
	}
	src, dir := m.Source, true
	if o.bind {
		if !filepath.IsAbs(src) {
			src = filepath.Join(bundle, src)
		}
		fi, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("unable to bind mount %s: %w", src, err)
		}
		dir = fi.IsDir()
	}
	if err := makeTarget(dest, dir); err != nil {
		return err
	}
	if err := mountOnto(rootfs, m, o, src, dest); err != nil {
		return err
	}
	// Remounts and propagation changes go onto the new mount: resolve
	// its path again (the first descriptor names what is under it).
	target, done, err := inRoot(rootfs, m.Destination, dest)
	if err != nil {
		return err
	}
	defer done()
	if o.bind && o.flags&^unix.MS_REMOUNT != 0 {
		if err := remountBind(target, o.flags&^unix.MS_REMOUNT); err != nil {
			return err
		}
	}
	for _, p := range o.propagation {
		if err := unix.Mount("", target, "", p, ""); err != nil {
			return fmt.Errorf("unable to change the propagation of %s: %w", m.Destination, err)
		}
	}
	return nil
}

// mountOnto makes the mount itself, onto the mount point resolved
// race-free inside rootfs.
func mountOnto(rootfs string, m specs.Mount, o mountOptions, src, dest string) error {
	target, done, err := inRoot(rootfs, m.Destination, dest)
	if err != nil {
		return err
	}
	defer done()
	if o.bind {
		flags := uintptr(unix.MS_BIND)
		if o.recursive {
			flags |= unix.MS_REC
		}
		if err := unix.Mount(src, target, "", flags, ""); err != nil {
			return fmt.Errorf("unable to bind mount %s on %s: %w", src, m.Destination, err)
		}
		return nil
	}
	typ := m.Type
	if typ == "cgroup" {
		// The container sees the unified hierarchy through its cgroup
		// namespace; v1 controllers are not mounted one by one.
		typ = "cgroup2"
	}
	err = unix.Mount(m.Source, target, typ, o.flags, strings.Join(o.data, ","))
	if err != nil && typ == "sysfs" && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EBUSY)) {
		// A user namespace without its own network namespace may not
		// mount sysfs: bind the host's read-only, as runc does.
		if err = unix.Mount("/sys", target, "", unix.MS_BIND|unix.MS_REC, ""); err == nil {
			var again func()
			if target, again, err = inRoot(rootfs, m.Destination, dest); err == nil {
				defer again()
				err = remountBind(target, o.flags|unix.MS_RDONLY)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("unable to mount %s (%s) on %s: %w", m.Source, m.Type, m.Destination, err)
	}
	return nil
}

// inRoot opens the container path dest inside rootfs with
// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): symbolic links,
// absolute ones included, are resolved as if rootfs were /, atomically,
// so no concurrent swap can lead outside. It returns /proc/self/fd/N of
// the O_PATH descriptor, which mount(2) follows to exactly that
// directory or file, and the function that closes it. With the mountfd
// defence disabled it returns hostPath, the path secureJoin resolved.
func inRoot(rootfs, dest, hostPath string) (string, func(), error) {
	if defenceOff("mountfd") {
		return hostPath, func() {}, nil
	}
	root, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, fmt.Errorf("unable to open the rootfs %s: %w", rootfs, err)
	}
	defer unix.Close(root)
	fd, err := unix.Openat2(root, dest, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return "", nil, fmt.Errorf("unable to open the mount point %s inside the rootfs: %w", dest, err)
	}
	return fmt.Sprintf("/proc/self/fd/%d", fd), func() { unix.Close(fd) }, nil
}

// makeTarget creates a mount point: a directory, or an empty file for a
// file bind mount.
func makeTarget(path string, dir bool) error {
	if dir {
		if err := os.MkdirAll(path, 0o755); err != nil {
			return fmt.Errorf("unable to create mount point %s: %w", path, err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("unable to create mount point %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY|unix.O_NOFOLLOW, 0o644)
	if err != nil {
		return fmt.Errorf("unable to create mount point %s: %w", path, err)
	}
	return f.Close()
}
