package container

import (
	"fmt"

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
