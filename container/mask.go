package container

import (
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/sys/unix"
)

// devNull opens a detached copy of the container's /dev/null mount tree and
// checks that it really is the character device 1:3. A container that
// replaced /dev/null by a symbolic link to, say, /proc/sys/kernel/core_pattern
// would otherwise turn "mask this path" into "expose that file"
// (CVE-2025-31133). open_tree(2) with AT_SYMLINK_NOFOLLOW does not follow
// the link, and fstat on the result checks what was opened.
func devNull() (int, error) {
	if defenceOff("devnull") {
		// Whatever /dev/null is, links followed, as runc before 1.2.8.
		return unix.OpenTree(unix.AT_FDCWD, "/dev/null", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, "/dev/null", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_SYMLINK_NOFOLLOW)
	if err != nil {
		return -1, fmt.Errorf("unable to open /dev/null to mask paths: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("unable to stat /dev/null: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		unix.Close(fd)
		return -1, fmt.Errorf("unable to mask paths: /dev/null is not the character device 1:3 (mode %#o, device %d:%d)", st.Mode, unix.Major(st.Rdev), unix.Minor(st.Rdev))
	}
	return fd, nil
}

// maskPaths hides each path: a file gets /dev/null bound over it (through
// move_mount of a verified /dev/null, onto a target opened without
// following links), a directory gets an empty read-only tmpfs. Paths that
// do not exist are skipped. Runs after pivot_root, with container paths.
func maskPaths(paths []string) error {
	for _, p := range paths {
		target, err := unix.Open(p, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("unable to open masked path %s: %w", p, err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(target, &st); err != nil {
			unix.Close(target)
			return fmt.Errorf("unable to stat masked path %s: %w", p, err)
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			unix.Close(target)
			if err := unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY, ""); err != nil {
				return fmt.Errorf("unable to mask directory %s: %w", p, err)
			}
			continue
		}
		null, err := devNull()
		if err != nil {
			unix.Close(target)
			return err
		}
		err = unix.MoveMount(null, "", target, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
		unix.Close(null)
		unix.Close(target)
		if err != nil {
			return fmt.Errorf("unable to mask %s with /dev/null: %w", p, err)
		}
	}
	return nil
}

// readonlyPaths makes each path a read-only bind mount of itself. Paths
// that do not exist are skipped.
func readonlyPaths(paths []string) error {
	for _, p := range paths {
		if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return fmt.Errorf("unable to bind %s for read-only: %w", p, err)
		}
		if err := remountBind(p, unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC); err != nil {
			return err
		}
	}
	return nil
}
