// Package criu checkpoints a running process tree to disk and restores it,
// through CRIU (Checkpoint/Restore In Userspace, https://criu.org).
//
// CRIU does the work; this package drives it in swrk mode, the way runc
// does: it starts `criu swrk FD` with one end of a socketpair and sends
// protobuf requests (DUMP, RESTORE) over it, using
// github.com/checkpoint-restore/go-criu. A dump writes the process tree's
// memory, registers, file descriptors and namespaces as image files in a
// directory; a restore rebuilds the tree from them, with the same pids.
//
// CRIU needs many kernel features and root. [Check] runs `criu check` and
// returns CRIU's own message when something is missing. When a checkpoint
// or restore fails, the error carries CRIU's log lines, and the output of
// `criu check` when CRIU could not even start its work, so the reason is
// CRIU's words, not a bare "EOF" from a closed socket.
package criu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Options tune a checkpoint or a restore. The zero value is usable.
type Options struct {
	// CriuPath is the criu binary; "" means "criu" found in $PATH.
	CriuPath string
	// LeaveRunning keeps the process running after Checkpoint (by
	// default CRIU kills it once the images are written).
	LeaveRunning bool
	// ShellJob allows a tree that shares its session or terminal with
	// processes outside it, like a job started from a shell.
	ShellJob bool
	// TCPEstablished checkpoints and restores established TCP
	// connections (CRIU's --tcp-established).
	TCPEstablished bool
	// ExternalUnixSockets allows unix sockets connected to processes
	// outside the tree (CRIU's --ext-unix-sk).
	ExternalUnixSockets bool
	// LogLevel is CRIU's verbosity, 0 to 4; 0 means 4 (everything), so a
	// failure has CRIU's whole account in the image directory's log.
	LogLevel int

	// The options below are for a tree that has namespaces of its own,
	// such as a container's; package container sets them.

	// Root is the host directory that is the root of the tree's mount
	// namespace (a container's rootfs): CRIU's --root.
	Root string
	// ExternalMounts are mounts of the tree that come from outside its
	// mount namespace, such as bind mounts of host files: CRIU's
	// --ext-mount-map KEY:VALUE. For Checkpoint the key is the mount
	// point inside the tree and the value the name recorded in the
	// images; for Restore the key is that name and the value the host
	// path to bind there.
	ExternalMounts map[string]string
	// ManageCgroups records the tree's cgroups in the images and
	// restores the tree into them (CRIU's --manage-cgroups).
	ManageCgroups bool
	// CgroupRoot, for Restore with ManageCgroups, is the cgroup path
	// (the same in every hierarchy) that the dumped tree's root cgroup
	// becomes: CRIU's --cgroup-root.
	CgroupRoot string
	// FreezeCgroup, for Checkpoint, is a freezer cgroup directory that
	// holds the whole tree: CRIU freezes the tree through it (CRIU's
	// --freeze-cgroup), which a tree already frozen (a paused container)
	// needs, and leaves it as it found it.
	FreezeCgroup string
}

func (o Options) criu() string {
	if o.CriuPath == "" {
		return "criu"
	}
	return o.CriuPath
}

// ErrCheckFailed is wrapped by errors reporting that `criu check` failed:
// CRIU cannot checkpoint on this kernel or with these privileges.
var ErrCheckFailed = errors.New("criu check failed")

// Check runs `criu check`, which tests the kernel features CRIU needs.
// It returns nil when CRIU says "Looks good.", and otherwise an error
// wrapping [ErrCheckFailed] whose text is CRIU's own output. An absent
// criu binary is an error wrapping exec.ErrNotFound (or fs.ErrNotExist
// when Options.CriuPath names a path that does not exist).
func Check() error { return CheckContext(context.Background(), Options{}) }

// CheckContext is [Check] with a context and the binary of opts.
func CheckContext(ctx context.Context, opts Options) error {
	path, err := exec.LookPath(opts.criu())
	if err != nil {
		return fmt.Errorf("unable to run criu check: %w (install CRIU, e.g. apt-get install criu)", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, path, "check")
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	msg := strings.TrimSpace(out.String())
	if runErr != nil || !strings.Contains(msg, "Looks good") {
		if msg == "" {
			msg = "(no output)"
		}
		return fmt.Errorf("%w (%s: %v):\n%s", ErrCheckFailed, path, exitText(runErr), indent(msg))
	}
	return nil
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0, but no \"Looks good.\""
	}
	return err.Error()
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// logErrors returns the lines of a CRIU log that report errors, or the
// last lines when none does, at most limit of them.
func logErrors(path string, limit int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var errs []string
	for _, l := range lines {
		if strings.Contains(l, "Error") || strings.Contains(l, "error") {
			errs = append(errs, strings.TrimSpace(l))
		}
	}
	if len(errs) == 0 {
		errs = lines[max(0, len(lines)-limit):]
	}
	if len(errs) > limit {
		errs = errs[len(errs)-limit:]
	}
	return strings.Join(errs, "\n")
}
