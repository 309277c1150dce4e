package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setupRootfs builds the container's file system view inside its new
// mount namespace, in this order: the propagation of / (rprivate, or
// linux.rootfsPropagation, after which a shared or unbindable mount in the
// rootfs's way is made private), the rootfs bound onto itself, the spec's
// mounts, /dev nodes and links, /etc files, beforePivot (the create
// hooks), pivot_root (or the MS_MOVE fallback), and linux.rootfsPropagation
// once more, on the new root.
// Nothing here touches the host's mount table: every mount is in the
// namespace that dies with the container.
func setupRootfs(cfg *initConfig, beforePivot func() error) error {
	// Device nodes and mount points get exactly the modes asked for;
	// the process's umask (0022) is set after setup.
	unix.Umask(0)
	spec := cfg.Spec
	prop := uintptr(unix.MS_PRIVATE | unix.MS_REC)
	if spec.Linux.RootfsPropagation != "" {
		p, ok := propagationOptions[spec.Linux.RootfsPropagation]
		if !ok {
			return fmt.Errorf("unable to use rootfsPropagation %q", spec.Linux.RootfsPropagation)
		}
		prop = p
	}
	if err := unix.Mount("", "/", "", prop, ""); err != nil {
		return fmt.Errorf("unable to set the propagation of / to %#x: %w", prop, err)
	}
	rootfs := cfg.Rootfs
	// After rprivate or rslave no mount is shared or unbindable; after
	// any other propagation the mounts in the rootfs's way may be.
	if prop != unix.MS_PRIVATE|unix.MS_REC && prop != unix.MS_SLAVE|unix.MS_REC {
		if err := privateForPivot(rootfs); err != nil {
			return err
		}
	}
	if err := unix.Mount(rootfs, rootfs, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		if errors.Is(err, unix.EACCES) && cfg.NewUserNS {
			return fmt.Errorf("unable to bind the rootfs %s onto itself: %w (in the new user namespace the container's root is host uid %d, which needs search permission on every directory above the rootfs)", rootfs, err, hostRootUID(cfg.Spec))
		}
		return fmt.Errorf("unable to bind the rootfs %s onto itself: %w", rootfs, err)
	}
	devTmpfs := false
	for _, m := range spec.Mounts {
		if err := mountSpec(rootfs, cfg.Bundle, m); err != nil {
			return err
		}
		if filepath.Clean(m.Destination) == "/dev" {
			devTmpfs = true
		}
	}
	if devTmpfs {
		if err := createDevices(rootfs, spec.Linux.Devices, cfg.NewUserNS); err != nil {
			return err
		}
	}
	if err := bindEtcFiles(rootfs, cfg.EtcFiles); err != nil {
		return err
	}
	if err := beforePivot(); err != nil {
		return err
	}
	if cfg.NoPivotRoot {
		if err := moveRoot(rootfs); err != nil {
			return err
		}
	} else if err := pivotRoot(rootfs); err != nil {
		// pivot_root refuses some roots (EINVAL on a ramfs root, for one):
		// fall back to MS_MOVE and chroot.
		if err2 := moveRoot(rootfs); err2 != nil {
			return fmt.Errorf("%w; fallback: %w", err, err2)
		}
	}
	// The propagation asked for is the new root's: what was applied to
	// the old root above went away with it, and the new root, a bind of
	// a private mount, is private.
	if spec.Linux.RootfsPropagation != "" {
		if err := unix.Mount("", "/", "", prop, ""); err != nil {
			return fmt.Errorf("unable to make the container's root %s: %w", spec.Linux.RootfsPropagation, err)
		}
	}
	return nil
}

// finishRootfs runs after pivot_root and the console: sysctls (while
// /proc/sys is still writable), masked paths, read-only paths, then the
// read-only root, which must come last.
func finishRootfs(spec *specs.Spec) error {
	if err := setSysctls(spec.Linux.Sysctl); err != nil {
		return err
	}
	if err := maskPaths(spec.Linux.MaskedPaths); err != nil {
		return err
	}
	if err := readonlyPaths(spec.Linux.ReadonlyPaths); err != nil {
		return err
	}
	if spec.Root.Readonly {
		if err := remountBind("/", unix.MS_RDONLY); err != nil {
			return fmt.Errorf("unable to make the root read-only: %w", err)
		}
	}
	return nil
}

// bindEtcFiles binds the runtime's /etc/hosts, /etc/hostname and
// /etc/resolv.conf (files in the state directory) over the rootfs's own,
// where the rootfs has them: the runtime adds no file to a rootfs (a
// read-only one, or one owned by a user namespace's root, could not take
// it anyway).
func bindEtcFiles(rootfs string, files map[string]string) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		dest, err := secureJoin(rootfs, name)
		if err != nil {
			return err
		}
		if fi, err := os.Lstat(dest); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := unix.Mount(files[name], dest, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("unable to bind %s: %w", name, err)
		}
	}
	return nil
}

// etcFiles returns the contents of the /etc files the runtime provides.
func etcFiles(hostname string) map[string]string {
	if hostname == "" {
		hostname = "localhost"
	}
	hosts := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + hostname + "\n"
	resolv := "nameserver 127.0.0.1\n"
	if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		resolv = string(b)
	}
	return map[string]string{"/etc/hosts": hosts, "/etc/hostname": hostname + "\n", "/etc/resolv.conf": resolv}
}

// setSysctls writes linux.sysctl through the container's /proc/sys, so
// that namespaced keys (net.*, kernel.hostname, fs.mqueue.*) land in the
// container's namespaces. Keys are checked to be plain dotted names, and
// each file is opened with writeProc, so a file under /proc/sys that a
// mount has replaced is refused rather than written (CVE-2025-52881).
func setSysctls(sysctls map[string]string) error {
	keys := make([]string, 0, len(sysctls))
	for k := range sysctls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" || strings.Contains(k, "/") || strings.Contains(k, "..") {
			return fmt.Errorf("unable to set sysctl %q: not a dotted name", k)
		}
		if err := writeProc("sys/"+strings.ReplaceAll(k, ".", "/"), sysctls[k]); err != nil {
			return fmt.Errorf("unable to set sysctl %s to %q: %w", k, sysctls[k], err)
		}
	}
	return nil
}

// writeProc writes value to /proc/NAME, opened so that the write cannot
// be redirected: /proc must be a procfs (fstatfs), and NAME is resolved
// beneath it with openat2 refusing symbolic links and any mount point on
// the way, so a bind mount over /proc/sys/x (of, say, the host's
// core_pattern) gets EXDEV, not the write.
func writeProc(name, value string) error {
	if defenceOff("procfd") {
		return os.WriteFile("/proc/"+name, []byte(value), 0)
	}
	proc, err := unix.Open("/proc", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("unable to open /proc: %w", err)
	}
	defer unix.Close(proc)
	var st unix.Statfs_t
	if err := unix.Fstatfs(proc, &st); err != nil {
		return fmt.Errorf("unable to check /proc: %w", err)
	}
	if st.Type != unix.PROC_SUPER_MAGIC {
		return fmt.Errorf("unable to write /proc/%s: /proc is not a procfs (magic %#x)", name, st.Type)
	}
	fd, err := unix.Openat2(proc, name, &unix.OpenHow{
		Flags:   unix.O_WRONLY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_XDEV | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	if errors.Is(err, unix.EXDEV) {
		return fmt.Errorf("unable to write /proc/%s: a mount covers it or a directory on its way: %w", name, err)
	}
	if err != nil {
		return fmt.Errorf("unable to open /proc/%s: %w", name, err)
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte(value)); err != nil {
		return fmt.Errorf("unable to write /proc/%s: %w", name, err)
	}
	return nil
}

// hostRootUID is the host uid that the container's uid 0 maps to, or -1.
func hostRootUID(spec *specs.Spec) int64 {
	for _, m := range spec.Linux.UIDMappings {
		if m.ContainerID == 0 && m.Size > 0 {
			return int64(m.HostID)
		}
	}
	return -1
}
