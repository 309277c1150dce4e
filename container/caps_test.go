package container_test

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// withAllCaps sets every capability set of spec's process to the default
// ones and extra.
func withAllCaps(spec *specs.Spec, extra string) {
	set := func() []string { return append(append([]string(nil), bundle.DefaultCapabilities...), extra) }
	spec.Process.Capabilities = &specs.LinuxCapabilities{
		Bounding: set(), Effective: set(), Permitted: set(), Inheritable: set(), Ambient: set(),
	}
	spec.Process.NoNewPrivileges = false
}

// TestCapabilityNotHeld: a capability the runtime does not hold (here
// CAP_SYS_BOOT, dropped from the bounding set of the thread that creates
// the containers, as a runtime started in a container may lack it) is
// refused when init starts (the OCI create), naming it, and nothing is left; without it the same
// container runs, and in a new user namespace, where init holds every
// capability, so does the one that asks for it.
func TestCapabilityNotHeld(t *testing.T) {
	needRoot(t)
	root := stateRoot(t)
	dir, spec := newBundle(t, "true")
	withAllCaps(spec, "CAP_SYS_BOOT")
	plainDir, plain := newBundle(t, "true")
	withAllCaps(plain, "CAP_CHOWN")
	userDir, user := newBundle(t, "true")
	withAllCaps(user, "CAP_SYS_BOOT")
	user.Linux.Namespaces = append(user.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	user.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	user.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	chownRootfs(t, userDir, 100000)

	var createErr error
	var plainRes, userRes result
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Never unlocked: the thread, with its smaller bounding set,
		// exits with the goroutine.
		runtime.LockOSThread()
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, unix.CAP_SYS_BOOT, 0, 0, 0); err != nil {
			t.Errorf("dropping CAP_SYS_BOOT: %v", err)
			return
		}
		c, err := container.Create(root, "caps-missing", container.Config{Bundle: dir, Spec: spec})
		if err != nil {
			t.Errorf("Create: %v", err)
			return
		}
		// Start is the second half of the OCI create: init is started.
		if createErr = c.Start(&container.Process{}); createErr == nil {
			c.ForceDestroy()
			return
		}
		plainRes = runContainer(t, root, "caps-plain", container.Config{Bundle: plainDir, Spec: plain})
		userRes = runContainer(t, root, "caps-userns", container.Config{Bundle: userDir, Spec: user})
	}()
	<-done
	if t.Failed() {
		return
	}
	if createErr == nil {
		t.Fatal("Start asked for CAP_SYS_BOOT, which the runtime does not hold, and succeeded")
	}
	for _, want := range []string{"does not hold", "permitted CAP_SYS_BOOT", "bounding CAP_SYS_BOOT"} {
		if !strings.Contains(createErr.Error(), want) {
			t.Errorf("Start: %v; want it to say %q", createErr, want)
		}
	}
	if plainRes.status != 0 || userRes.status != 0 {
		t.Errorf("exit statuses %d (without CAP_SYS_BOOT) and %d (user namespace), want 0", plainRes.status, userRes.status)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("the state root holds %d entries, want none", len(entries))
	}
}
