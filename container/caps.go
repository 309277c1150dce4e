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

// checkHeldCapabilities refuses capabilities init cannot pass on, before
// anything is set up, so that create fails rather than start: capset(2)
// fails with EPERM for a permitted, effective, inheritable (or ambient)
// capability the thread does not hold, and a capability missing from the
// bounding set never comes back. A runtime that runs in a container often
// lacks some; in a new user namespace init holds them all.
func checkHeldCapabilities(c *specs.LinuxCapabilities) error {
	if c == nil {
		return nil
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("unable to read init's capabilities: %w", err)
	}
	permitted := uint64(data[0].Permitted) | uint64(data[1].Permitted)<<32
	effective := uint64(data[0].Effective) | uint64(data[1].Effective)<<32
	inheritable := uint64(data[0].Inheritable) | uint64(data[1].Inheritable)<<32
	var bounding uint64
	for i := range capabilityNames {
		if r, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(i), 0, 0, 0); err == nil && r == 1 {
			bounding |= 1 << uint(i)
		}
	}
	// capset(2): a new inheritable set is within the old inheritable and
	// bounding sets, and within the old inheritable and permitted sets
	// unless the thread has CAP_SETPCAP.
	inheritableOK := inheritable | bounding
	if effective&(1<<unix.CAP_SETPCAP) == 0 {
		inheritableOK &= inheritable | permitted
	}
	var missing []string
	for _, set := range []struct {
		name string
		caps []string
		held uint64
	}{
		{"bounding", c.Bounding, bounding},
		{"effective", c.Effective, permitted},
		{"permitted", c.Permitted, permitted},
		{"inheritable", c.Inheritable, inheritableOK},
		{"ambient", c.Ambient, permitted},
	} {
		var names []string
		for _, n := range set.caps {
			if i, ok := capabilityByName(n); ok && set.held&(1<<uint(i)) == 0 {
				names = append(names, capabilityNames[i])
			}
		}
		if len(names) > 0 {
			missing = append(missing, set.name+" "+strings.Join(names, ","))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("unable to grant capabilities that the runtime does not hold (its permitted set is %#x, its bounding set %#x): %s", permitted, bounding, strings.Join(missing, "; "))
	}
	return nil
}
