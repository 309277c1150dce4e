// Package testenv is the one gate deferio's tests use for what they need
// from the machine: root, the Go toolchain, a command such as strace or
// ip; and what the container tests read of the host (HostMounts). Without it a test is skipped with the reason, except when CI=true:
// CI runs as root with every package installed, so there a missing
// privilege or package is a failure, not a skip.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/gorun"
)

// CI reports whether the tests run in CI (CI=true).
func CI() bool { return os.Getenv("CI") == "true" }

// Need skips t, or fails it under CI=true, when err is not nil: what is
// needed, and err says why it is missing.
func Need(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if CI() {
		t.Fatalf("this test needs %s, and CI=true makes its absence a failure: %v", what, err)
		return
	}
	t.Skipf("this test needs %s: %v", what, err)
}

// NeedRoot skips t, or fails it under CI=true, unless the process is
// root. why says what the test does with it ("creates cgroups").
func NeedRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	Need(t, "root", fmt.Errorf("it %s, and the effective uid is %d", why, os.Geteuid()))
}

// NeedGo skips t, or fails it under CI=true, when the go command cannot
// be found.
func NeedGo(t testing.TB) {
	t.Helper()
	_, err := gorun.GoTool()
	Need(t, "the Go toolchain", err)
}

// NeedCommand returns the path of the command name, found in PATH (or at
// the absolute path name), and skips t, or fails it under CI=true, when
// there is none. pkg names the Debian package that provides it.
func NeedCommand(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	Need(t, fmt.Sprintf("%s (Debian package %s)", name, pkg), err)
	return path
}

// HostMounts returns the lines of /proc/self/mountinfo whose mount point
// or root is one of paths or below it: the part of the host's mount table
// a test can change. Other tests running at the same time (network
// namespaces bound under /run/netns, say) change the rest.
func HostMounts(t testing.TB, paths ...string) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		for _, p := range paths {
			if f[4] == p || strings.HasPrefix(f[4], p+"/") || f[3] == p || strings.HasPrefix(f[3], p+"/") {
				out = append(out, l)
				break
			}
		}
	}
	return out
}
