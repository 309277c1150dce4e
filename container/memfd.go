package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// sealedSelf returns a read-only handle on the running binary that no
// process can write through. The runtime re-executes it, never
// /proc/self/exe itself: a process in the container that opens
// /proc/PID/exe of a runtime process then reaches this handle, not a
// writable host binary (CVE-2019-5736, where a container overwrote runc).
//
// The handle is the binary opened on a private read-only overlayfs of
// its directory (overlaySelf) where the kernel can make one, the way
// runc 1.2 does: nothing is copied, so it costs a few tenths of a
// millisecond (BenchmarkSealedSelf). Elsewhere it is a sealed memfd copy
// (memfdSelf), which costs a copy of the whole binary per start.
func sealedSelf() (*os.File, error) {
	if defenceOff("memfd") {
		src, err := os.Open("/proc/self/exe")
		if err != nil {
			return nil, fmt.Errorf("unable to open the runtime binary: %w", err)
		}
		return aboveExtraFiles(src) // the binary itself, as runc before 1.0-rc6
	}
	if defenceOff("overlay") {
		return memfdSelf()
	}
	f, err := overlaySelf()
	if err != nil {
		tracef("start: no read-only overlay of the binary (%v), copying it into a memfd", err)
		return memfdSelf()
	}
	return aboveExtraFiles(f)
}

// overlaySelf opens the running binary through an overlayfs mount that
// is never attached anywhere: fsopen("overlay") with two lower layers,
// the binary's directory and the root of an empty tmpfs that is not
// attached either (an overlay without an upper layer needs two, and
// they must not overlap), mounted by fsmount read-only, nosuid and
// nodev. No path leads to the mount; it lives as long as the returned
// descriptor. A write through it, or through /proc/PID/exe of a process
// executing it, fails with EROFS; the binary on disk is untouched and
// uncopied, and nothing is created on the host's disk.
func overlaySelf() (*os.File, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(exe, " (deleted)") {
		return nil, errors.New("the binary on disk was removed")
	}
	dir, name := filepath.Split(exe)
	empty, err := detachedMount("tmpfs", unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC, "size", "4k", "nr_inodes", "1")
	if err != nil {
		return nil, err
	}
	defer unix.Close(empty)
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("fsopen overlay: %w", err)
	}
	defer unix.Close(fsfd)
	if err := overlayLowers(fsfd, dir, fmt.Sprintf("/proc/self/fd/%d", empty)); err != nil {
		return nil, err
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return nil, fmt.Errorf("overlay superblock: %w", err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV)
	if err != nil {
		return nil, fmt.Errorf("fsmount overlay: %w", err)
	}
	defer unix.Close(mfd)
	fd, err := unix.Openat(mfd, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s on the overlay: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), "overlay:"+name)
	// The path may name a newer binary than the one running.
	var running, opened unix.Stat_t
	if err := unix.Stat("/proc/self/exe", &running); err != nil {
		f.Close()
		return nil, err
	}
	if err := unix.Fstat(fd, &opened); err != nil {
		f.Close()
		return nil, err
	}
	if running.Size != opened.Size || running.Mtim != opened.Mtim {
		f.Close()
		return nil, fmt.Errorf("%s on disk is not the running binary", exe)
	}
	return f, nil
}

// detachedMount makes a new filesystem of type fstype with the given
// key, value options and returns a descriptor of its root, mounted
// nowhere.
func detachedMount(fstype string, attrs int, opts ...string) (int, error) {
	fsfd, err := unix.Fsopen(fstype, unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("fsopen %s: %w", fstype, err)
	}
	defer unix.Close(fsfd)
	for i := 0; i+1 < len(opts); i += 2 {
		if err := unix.FsconfigSetString(fsfd, opts[i], opts[i+1]); err != nil {
			return -1, fmt.Errorf("%s option %s=%s: %w", fstype, opts[i], opts[i+1], err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, fmt.Errorf("%s superblock: %w", fstype, err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, attrs)
	if err != nil {
		return -1, fmt.Errorf("fsmount %s: %w", fstype, err)
	}
	return mfd, nil
}

// overlayLowers sets the overlay's two lower layers: one "lowerdir+" each
// where the kernel has it (Linux 6.8), which takes any path, else one
// "lowerdir" list, whose separators a path must not hold.
func overlayLowers(fsfd int, dir, empty string) error {
	if unix.FsconfigSetString(fsfd, "lowerdir+", dir) == nil {
		if err := unix.FsconfigSetString(fsfd, "lowerdir+", empty); err != nil {
			return fmt.Errorf("overlay lower layer %s: %w", empty, err)
		}
		return nil
	}
	if strings.ContainsAny(dir+empty, ":,\\") {
		return fmt.Errorf("the binary's directory %q holds an overlay list separator", dir)
	}
	if err := unix.FsconfigSetString(fsfd, "lowerdir", dir+":"+empty); err != nil {
		return fmt.Errorf("overlay lower layers %s:%s: %w", dir, empty, err)
	}
	return nil
}

// memfdSelf returns a sealed memfd copy of the running binary, which
// F_SEAL_WRITE makes read-only for everyone.
func memfdSelf() (*os.File, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("unable to open the runtime binary: %w", err)
	}
	defer src.Close()
	fd, err := unix.MemfdCreate("deferio-init", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("unable to create a memfd for the runtime binary: %w", err)
	}
	mem := os.NewFile(uintptr(fd), "memfd:deferio-init")
	fi, err := src.Stat()
	if err != nil {
		mem.Close()
		return nil, fmt.Errorf("unable to stat the runtime binary: %w", err)
	}
	// sendfile(2) copies inside the kernel, in a few calls instead of one
	// read and one write per 32 KiB.
	for left := fi.Size(); left > 0; {
		n, err := unix.Sendfile(fd, int(src.Fd()), nil, int(min(left, 1<<30)))
		if err != nil || n == 0 {
			mem.Close()
			return nil, fmt.Errorf("unable to copy the runtime binary into a memfd (%d bytes left): %w", left, err)
		}
		left -= int64(n)
	}
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		mem.Close()
		return nil, fmt.Errorf("unable to seal the runtime binary's memfd: %w", err)
	}
	return aboveExtraFiles(mem)
}

// minExecFd is the lowest descriptor the binary to execute may have. The
// child executes /proc/self/fd/N after os/exec has moved its ExtraFiles
// to descriptors 3, 4, ...: a binary at a low N would by then have been
// replaced by one of them (a pipe, which execve refuses with EACCES).
const minExecFd = 100

// aboveExtraFiles moves f to a close-on-exec descriptor at or above
// minExecFd (the kernel has opened the binary before execve closes it).
func aboveExtraFiles(f *os.File) (*os.File, error) {
	defer f.Close()
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, minExecFd)
	if err != nil {
		return nil, fmt.Errorf("unable to move the runtime binary's descriptor: %w", err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
