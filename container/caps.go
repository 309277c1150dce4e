package container

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// capabilityNames lists the capabilities by number (linux/capability.h).
var capabilityNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// CapabilityNames returns the names of the capabilities this package knows,
// in kernel order (CAP_CHOWN is 0).
func CapabilityNames() []string { return append([]string(nil), capabilityNames...) }

func capabilityByName(name string) (int, bool) {
	for i, n := range capabilityNames {
		if strings.EqualFold(n, name) {
			return i, true
		}
	}
	return 0, false
}

// lastCap is the highest capability the running kernel knows.
func lastCap() int {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return len(capabilityNames) - 1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return len(capabilityNames) - 1
	}
	return n
}

func capMask(names []string) uint64 {
	var m uint64
	for _, n := range names {
		if i, ok := capabilityByName(n); ok {
			m |= 1 << uint(i)
		}
	}
	return m
}

// dropBounding removes every capability not in keep from the bounding set
// (prctl PR_CAPBSET_DROP). It needs CAP_SETPCAP, so it runs before the
// credentials change.
func dropBounding(keep []string) error {
	m := capMask(keep)
	last := lastCap() // read once, not once per capability
	for c := 0; c <= last; c++ {
		if m&(1<<uint(c)) != 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && err != unix.EINVAL {
			return fmt.Errorf("unable to drop capability %d from the bounding set: %w", c, err)
		}
	}
	return nil
}

// setCapabilities sets the effective, permitted and inheritable sets of the
// calling thread (capset(2) is per thread: the caller keeps its goroutine
// locked to the thread that will execve), then the ambient set.
func setCapabilities(c *specs.LinuxCapabilities) error {
	eff, perm, inh := capMask(c.Effective), capMask(c.Permitted), capMask(c.Inheritable)
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{
		{Effective: uint32(eff), Permitted: uint32(perm), Inheritable: uint32(inh)},
		{Effective: uint32(eff >> 32), Permitted: uint32(perm >> 32), Inheritable: uint32(inh >> 32)},
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("unable to set capabilities (effective %#x, permitted %#x, inheritable %#x): %w", eff, perm, inh, err)
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("unable to clear the ambient capabilities: %w", err)
	}
	for _, n := range c.Ambient {
		i, _ := capabilityByName(n)
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(i), 0, 0); err != nil {
			return fmt.Errorf("unable to raise ambient capability %s (it must be permitted and inheritable too): %w", n, err)
		}
	}
	return nil
}
