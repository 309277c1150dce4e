package container_test

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	"golang.org/x/sys/unix"
)

// rootOptional returns the optional fields (shared:N, master:N,
// unbindable) of the last mount of "/" in a mountinfo text.
func rootOptional(t *testing.T, mountinfo string) []string {
	t.Helper()
	var opt []string
	found := false
	for _, l := range strings.Split(mountinfo, "\n") {
		f := strings.Fields(l)
		if len(f) < 7 || f[4] != "/" {
			continue
		}
		found, opt = true, nil
		for _, o := range f[6:] {
			if o == "-" {
				break
			}
			opt = append(opt, o)
		}
	}
	if !found {
		t.Fatalf("no mount of / in:\n%s", mountinfo)
	}
	return opt
}

func hasPrefixed(opts []string, prefix string) bool {
	for _, o := range opts {
		if strings.HasPrefix(o, prefix) {
			return true
		}
	}
	return false
}

// TestRootfsPropagation: each linux.rootfsPropagation is the propagation
// of the container's root, and none of them lets the runtime's mounts
// reach the namespace it was started from. The test runs on a thread of
// its own in a mount namespace of its own whose mounts are all shared,
// as on a host where systemd made them so: pivot_root refuses a shared
// parent (EINVAL), and binding the rootfs onto itself under a shared
// mount would propagate to this namespace.
func TestRootfsPropagation(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "cat", "/proc/self/mountinfo")
	root := stateRoot(t)
	for _, tc := range []struct {
		prop           string
		shared, unbind bool // the container's root must be shared, unbindable
		notShared      bool
	}{
		{prop: "shared", shared: true},
		{prop: "rshared", shared: true},
		{prop: "slave", notShared: true},
		{prop: "private", notShared: true},
		{prop: "unbindable", unbind: true, notShared: true},
	} {
		t.Run(tc.prop, func(t *testing.T) {
			spec.Linux.RootfsPropagation = tc.prop
			done := make(chan struct{})
			var r result
			var before, after []string
			go func() {
				defer close(done)
				// Never unlocked: the thread, in its own mount namespace,
				// exits with the goroutine.
				runtime.LockOSThread()
				if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
					t.Errorf("unshare: %v", err)
					return
				}
				if err := unix.Mount("", "/", "", unix.MS_SHARED|unix.MS_REC, ""); err != nil {
					t.Errorf("making / rshared: %v", err)
					return
				}
				before = threadMounts(t, dir)
				r = runContainer(t, root, "prop-"+tc.prop, container.Config{Bundle: dir, Spec: spec})
				after = threadMounts(t, dir)
			}()
			<-done
			if t.Failed() {
				return
			}
			if strings.Join(before, "\n") != strings.Join(after, "\n") {
				t.Errorf("the mounts under the bundle changed in the runtime's namespace:\nbefore %q\nafter %q", before, after)
			}
			opts := rootOptional(t, r.stdout)
			if tc.shared && !hasPrefixed(opts, "shared:") {
				t.Errorf("the container's root has %q, want shared", opts)
			}
			if tc.notShared && hasPrefixed(opts, "shared:") {
				t.Errorf("the container's root has %q, want it not shared", opts)
			}
			if tc.unbind != hasPrefixed(opts, "unbindable") {
				t.Errorf("the container's root has %q, unbindable wanted: %v", opts, tc.unbind)
			}
		})
	}
}

// threadMounts returns the lines of the calling thread's mount table that
// name path or a path below it.
func threadMounts(t *testing.T, path string) []string {
	b, err := os.ReadFile("/proc/thread-self/mountinfo")
	if err != nil {
		t.Error(err)
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 4 && (f[4] == path || strings.HasPrefix(f[4], path+"/")) {
			out = append(out, l)
		}
	}
	return out
}
