package container

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// disabledDefences names, comma-separated, escape defences that are
// turned off. It is empty in every build but the escape tests', which
// link a second runtime with
//
//	-ldflags=-X=github.com/deferio/deferio/container.disabledDefences=memfd
//
// to prove that each test's attack succeeds without its defence, so that
// the test would catch the defence's loss. Nothing at run time (no flag,
// file or environment variable) can set it. The names:
//
//   - memfd: execute the runtime binary itself instead of a sealed
//     handle on it (the defence against CVE-2019-5736).
//   - overlay: seal the binary by the memfd copy, never by the read-only
//     overlay (not a defence lost: the switch lets the tests prove the
//     fallback defends as well).
//   - fdhygiene: init keeps a descriptor of the host's /sys/fs/cgroup open
//     across pivot_root and into the process's setup, as runc 1.1.11
//     leaked one (the bug behind CVE-2024-21626).
//   - cwdcheck: the working directory is not checked to be inside the
//     root after chdir (the defence against CVE-2024-21626).
//   - devnull: mask paths with whatever /dev/null is, links followed,
//     instead of a verified character device 1:3 (the defence against
//     CVE-2025-31133).
//   - procfd: write sysctls to /proc/sys by path, following whatever
//     is mounted there, instead of through openat2 with RESOLVE_NO_XDEV
//     on a checked procfs (the defence against CVE-2025-52881).
//   - consoletarget: bind the pty onto whatever /dev/console leads to,
//     links followed, instead of a mount point created with O_NOFOLLOW
//     (the defence against CVE-2025-52565).
//   - mountfd: mount onto the path secureJoin resolved instead of onto a
//     descriptor opened with openat2(RESOLVE_IN_ROOT) (the defence
//     against CVE-2021-30465).
var disabledDefences string

// defenceOff reports whether the defence called name is disabled in this
// build.
func defenceOff(name string) bool {
	for d := range strings.SplitSeq(disabledDefences, ",") {
		if d == name {
			return true
		}
	}
	return false
}

// leakHostDir is the bug the fdhygiene switch puts back: init opens a
// directory of the host's mount namespace (the runtime's root, reached
// through the host's /proc before pivot_root) and never closes it, as
// runc 1.1.11 leaked its descriptor of /sys/fs/cgroup into init.
func leakHostDir() {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) > 1 {
		unix.Open("/proc/"+f[1]+"/root/sys/fs/cgroup", unix.O_PATH|unix.O_DIRECTORY, 0)
	}
}
