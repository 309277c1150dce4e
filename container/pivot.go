package container

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// pivotRoot makes rootfs the root of the mount namespace with
// pivot_root(".", "."), which stacks the old root on top of the new one
// at "/", and then detaches the old root, so that no host path remains
// reachable. rootfs must be a mount point (it was bound onto itself) and
// its parent mount must not be shared (propagation was made private).
func pivotRoot(rootfs string) error {
	oldroot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("unable to open the old root: %w", err)
	}
	defer unix.Close(oldroot)
	newroot, err := unix.Open(rootfs, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("unable to open the new root %s: %w", rootfs, err)
	}
	defer unix.Close(newroot)
	if err := unix.Fchdir(newroot); err != nil {
		return fmt.Errorf("unable to enter %s: %w", rootfs, err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("unable to pivot_root into %s: %w", rootfs, err)
	}
	if err := unix.Fchdir(oldroot); err != nil {
		return fmt.Errorf("unable to enter the old root: %w", err)
	}
	// Unmounting must not propagate to the host.
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("unable to make the old root a slave: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("unable to detach the old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("unable to enter the new root: %w", err)
	}
	return nil
}

// moveRoot is the fallback when pivot_root cannot work (a rootfs on ramfs,
// or when asked with no_pivot_root): move the rootfs mount onto "/" and
// chroot into it. The old root's mounts stay in the namespace underneath,
// unreachable by path but visible in /proc/self/mountinfo, which is why
// pivot_root is preferred.
func moveRoot(rootfs string) error {
	if err := unix.Chdir(rootfs); err != nil {
		return fmt.Errorf("unable to enter %s: %w", rootfs, err)
	}
	if err := unix.Mount(rootfs, "/", "", unix.MS_MOVE, ""); err != nil {
		return fmt.Errorf("unable to move %s onto /: %w", rootfs, err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("unable to chroot into %s: %w", rootfs, err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("unable to enter the new root: %w", err)
	}
	return nil
}

// privateForPivot makes private the mount the rootfs is on and the root
// mount, where either is shared or unbindable (linux.rootfsPropagation
// "shared" or "unbindable" does that to /). pivot_root(2) refuses a new
// root whose parent mount is shared, and a current root that is shared
// (EINVAL); MS_MOVE refuses a mount whose parent is shared; binding the
// rootfs onto itself fails on an unbindable mount, and on a shared one
// would propagate to the mount's peers, which may be the host's. Both
// mounts are hidden by pivot_root, and the propagation asked for is given
// to the new root afterwards.
func privateForPivot(rootfs string) error {
	ids := make(map[uint64]bool, 2)
	for _, p := range []string{rootfs, "/"} {
		var stx unix.Statx_t
		if err := unix.Statx(unix.AT_FDCWD, p, 0, unix.STATX_MNT_ID, &stx); err != nil {
			return fmt.Errorf("unable to find the mount of %s: %w", p, err)
		}
		if stx.Mask&unix.STATX_MNT_ID == 0 {
			return fmt.Errorf("unable to find the mount of %s: the kernel does not report mount IDs (statx STATX_MNT_ID, Linux 5.8)", p)
		}
		ids[stx.Mnt_id] = true
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("unable to read the mount table: %w", err)
	}
	found := 0
	for _, line := range strings.Split(string(b), "\n") {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE ...
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		id, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil || !ids[id] {
			continue
		}
		found++
		change := false
		for _, opt := range f[6:] {
			if opt == "-" {
				break
			}
			if strings.HasPrefix(opt, "shared:") || opt == "unbindable" {
				change = true
			}
		}
		if !change {
			continue
		}
		mp := unescapeMountinfo(f[4])
		if err := unix.Mount("", mp, "", unix.MS_PRIVATE, ""); err != nil {
			return fmt.Errorf("unable to make the mount %s private (the rootfs %s is under it): %w", mp, rootfs, err)
		}
	}
	if found < len(ids) {
		return fmt.Errorf("unable to find the mount of %s in /proc/self/mountinfo", rootfs)
	}
	return nil
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) that
// /proc/self/mountinfo uses in paths.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
