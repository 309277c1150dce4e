package container

import (
	"fmt"
	"io"
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
	defer src.Close()
	fd, err := unix.MemfdCreate("deferio-init", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("unable to create a memfd for the runtime binary: %w", err)
	}
	mem := os.NewFile(uintptr(fd), "memfd:deferio-init")
	if _, err := io.Copy(mem, src); err != nil {
		mem.Close()
		return nil, fmt.Errorf("unable to copy the runtime binary into a memfd: %w", err)
	}
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		mem.Close()
		return nil, fmt.Errorf("unable to seal the runtime binary's memfd: %w", err)
	}
	return mem, nil
}
