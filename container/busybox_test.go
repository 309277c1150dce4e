package container_test

import (
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
)

// TestBusyboxRootfs runs a container whose rootfs is Debian's static
// busybox (apt-get install busybox-static) instead of toybox: any static
// multi-call binary makes a rootfs.
func TestBusyboxRootfs(t *testing.T) {
	needRoot(t)
	dir, spec := busyboxBundle(t, "sh", "-c", "hostname; ps -o pid,comm; cat /proc/self/uid_map")
	r := runContainer(t, stateRoot(t), "busybox", container.Config{Bundle: dir, Spec: spec})
	if r.status != 0 || !strings.HasPrefix(r.stdout, "deferio\nPID   COMMAND\n    1 sh\n") {
		t.Errorf("busybox container: status %d, stdout %q, stderr %q", r.status, r.stdout, r.stderr)
	}
}
