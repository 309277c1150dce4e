package container_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/internal/testenv"
)

var cycles = flag.Int("cycles", 200, "create/delete cycles of TestCreateDeleteCycles (20 with -short)")

// TestCreateDeleteCycles creates (to "created": init set up and waiting
// on the FIFO) and force-deletes containers many times (a plain delete of a
// created container is refused, as OCI requires), then checks that
// nothing is left: the host's mount table is unchanged, every cgroup
// directory and the state root are gone, and every init has exited.
func TestCreateDeleteCycles(t *testing.T) {
	needRoot(t)
	n := *cycles
	if testing.Short() {
		n = min(n, 20)
	}
	dir, spec := newBundle(t, "true")
	root := stateRoot(t)
	// Mounts of a container live in its own mount namespace; one that
	// leaked to the host would be on the bundle, the state root or a
	// cgroup directory.
	watched := []string{dir, root, "/sys/fs/cgroup"}
	before := testenv.HostMounts(t, watched...)
	var cgroupDirs []string
	var inits []int
	for i := range n {
		id := fmt.Sprintf("cycle-%d", i)
		c, err := container.Create(root, id, container.Config{Bundle: dir, Spec: spec})
		if err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if err := c.Start(nil); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if st := c.Status(); st != container.Created {
			t.Fatalf("cycle %d: status %s, want created", i, st)
		}
		for _, p := range c.State().CgroupPaths {
			cgroupDirs = append(cgroupDirs, p)
		}
		inits = append(inits, c.State().Pid)
		if err := c.Destroy(); !errors.Is(err, container.ErrIllegalTransition) {
			t.Fatalf("cycle %d: Destroy of a created container = %v, want an illegal transition", i, err)
		}
		if err := c.ForceDestroy(); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
	}
	if after := testenv.HostMounts(t, watched...); !slices.Equal(before, after) {
		t.Errorf("the host's mount table changed:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	for _, d := range cgroupDirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("cgroup %s is still there (%v)", d, err)
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("the state root still holds %d entries", len(entries))
	}
	for _, pid := range inits {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && string(b) == "nsinit\x00init\x00" {
			t.Errorf("init %d is still alive", pid)
		}
	}
	if len(cgroupDirs) == 0 {
		t.Error("no cgroup was recorded")
	}
	t.Logf("%d cycles, %d cgroup directories checked", n, len(cgroupDirs))
}
