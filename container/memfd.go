package container

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// sealedSelf returns a sealed memfd copy of the running binary. The
// runtime re-executes this copy, never /proc/self/exe itself: a process in
// the container that opens /proc/PID/exe of a runtime process then reaches
// the memfd, which F_SEAL_WRITE makes read-only for everyone, and not the
// host's binary (CVE-2019-5736, where a container overwrote runc).
func sealedSelf() (*os.File, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("unable to open the runtime binary: %w", err)
	}
	if defenceOff("memfd") {
		return aboveExtraFiles(src) // the binary itself, as runc before 1.0-rc6
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
