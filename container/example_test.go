package container_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// An ID is one plain name inside the state root: "../x" would be a path.
func ExampleValidateID() {
	for _, id := range []string{"web-1", "../x", ""} {
		fmt.Println(id, "->", container.ValidateID(id))
	}
	// Output:
	// web-1 -> <nil>
	// ../x -> invalid container ID: "../x" has '/' at byte 2 (allowed: letters, digits, _ - .)
	//  -> invalid container ID: it is empty
}

// Validate names every field that is wrong, and reads the disk without
// changing it.
func ExampleConfig_Validate() {
	dir, _ := os.MkdirTemp("", "bundle")
	defer os.RemoveAll(dir)
	os.Mkdir(filepath.Join(dir, "rootfs"), 0o755)
	spec := bundle.DefaultSpec("true")
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: "time-travel"})
	spec.Process.Cwd = "tmp"
	err := container.Config{Bundle: dir, Spec: spec}.Validate()
	fmt.Println(errors.Is(err, container.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// invalid container configuration: process.cwd "tmp" is not absolute
	// invalid container configuration: linux.namespaces[6]: unknown namespace type "time-travel" (known: pid, network, mount, ipc, uts, user, cgroup)
}

// Illegal transitions are typed errors.
func ExampleTransitionError() {
	err := error(&container.TransitionError{ID: "web", Op: "pause", Status: container.Stopped, Allowed: []container.Status{container.Running}})
	fmt.Println(err)
	fmt.Println(errors.Is(err, container.ErrIllegalTransition))
	// Output:
	// unable to pause container web: it is stopped (pause needs [running])
	// true
}
