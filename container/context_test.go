package container_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestStartContextCancels: a createContainer hook that would block init
// for a minute (it runs in init, before pivot_root) holds Start until
// the context's deadline; StartContext then kills init and returns an
// error that wraps the context's, and the container is gone: no state
// directory, no cgroup. RunContext does the same.
func TestStartContextCancels(t *testing.T) {
	needRoot(t)
	for _, run := range []bool{false, true} {
		dir, spec := newBundle(t, "true")
		timeout := 120
		spec.Hooks = &specs.Hooks{CreateContainer: []specs.Hook{{Path: "/bin/sleep", Args: []string{"sleep", "60"}, Timeout: &timeout}}}
		root := stateRoot(t)
		c, err := container.Create(root, "ctx", container.Config{Bundle: dir, Spec: spec})
		if err != nil {
			t.Fatal(err)
		}
		cgroups := c.State().CgroupPath
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		t0 := time.Now()
		if run {
			err = c.RunContext(ctx, &container.Process{})
		} else {
			err = c.StartContext(ctx, nil)
		}
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			c.ForceDestroy()
			t.Fatalf("run %v: error %v, want one that wraps context.DeadlineExceeded", run, err)
		}
		t.Logf("run %v, after %v: %v", run, time.Since(t0), err)
		if _, err := os.Stat(filepath.Join(root, "ctx")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("run %v: the state directory is still there (%v)", run, err)
		}
		if left, _ := filepath.Glob("/sys/fs/cgroup/*" + cgroups); len(left) > 0 {
			t.Errorf("run %v: cgroups left behind: %v", run, left)
		}
	}
}
