package cgroups

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// capSysResource is CAP_SYS_RESOURCE's bit (include/uapi/linux/capability.h).
const capSysResource = 24

// effectiveCap reports whether this process has a capability in its
// effective set (/proc/self/status CapEff).
func effectiveCap(t *testing.T, bit uint) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "CapEff:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return mask&(1<<bit) != 0
		}
	}
	t.Fatal("no CapEff line in /proc/self/status")
	return false
}

// TestWithoutCapSysResource pins down what a missing CAP_SYS_RESOURCE
// breaks. Every cgroup file this package writes needs only write access
// to the file (and CAP_SYS_ADMIN for devices.allow): the other tests pass
// without CAP_SYS_RESOURCE. What it does break is lowering
// oom_score_adj below its floor (mm/oom_kill.c, __set_oom_adj: EACCES
// without CAP_SYS_RESOURCE), which a runtime uses to keep the OOM killer
// away from itself, and OCI's process.oomScoreAdj below zero.
func TestWithoutCapSysResource(t *testing.T) {
	requireRoot(t)
	has := effectiveCap(t, capSysResource)
	out, err := exec.Command("sh", "-c", "echo -500 > /proc/self/oom_score_adj").CombinedOutput()
	t.Logf("CAP_SYS_RESOURCE effective: %v; writing -500 to oom_score_adj: err=%v %s", has, err, out)
	if has && err != nil {
		t.Errorf("with CAP_SYS_RESOURCE, lowering oom_score_adj failed: %v %s", err, out)
	}
	if !has && err == nil {
		t.Error("without CAP_SYS_RESOURCE, lowering oom_score_adj to -500 succeeded")
	}
	// Raising it needs no capability either way.
	if out, err := exec.Command("sh", "-c", "echo 500 > /proc/self/oom_score_adj").CombinedOutput(); err != nil {
		t.Errorf("raising oom_score_adj failed: %v %s", err, out)
	}
}
