// Package cgroups puts processes in control groups and limits, freezes,
// measures and watches them, on cgroup v1 and on cgroup v2.
//
// A control group is a directory. On cgroup v1 every controller (memory,
// cpu, pids, freezer ...) has its own hierarchy mounted somewhere under
// /sys/fs/cgroup, and a container has one directory in each; on cgroup v2
// there is a single hierarchy and one directory. Writing a pid to a
// directory's cgroup.procs moves the process there; the controller files
// beside it (memory.limit_in_bytes, pids.max, freezer.state ...) are the
// whole interface. This package is those file writes and reads, one
// concept per file, with the contract of each in prose on [Manager].
//
// [New] reads /proc/self/mountinfo and picks v1 when v1 controllers are
// mounted (also on a hybrid host, where a cgroup2 hierarchy without
// controllers sits beside them), v2 when the host is unified. [NewV1] and
// [NewV2] force one of them.
package cgroups

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A Manager owns one container's cgroup: one directory per hierarchy,
// named by the same path in each. Creating a Manager touches nothing on
// disk; [Manager.Apply] creates the directories.
//
// A Manager is safe for use by one goroutine at a time, except NotifyOOM's
// channel, which is fed by a goroutine of its own.
type Manager interface {
	// Apply creates the cgroup's directory in every hierarchy where it is
	// missing (with any missing parents) and moves the process pid into
	// it. On cgroup v1 an empty cpuset directory on the way (new or not)
	// first gets its parent's cpuset.cpus and cpuset.mems, because the
	// kernel refuses tasks in a cpuset with none (ENOSPC). Apply may be
	// called again for another pid. If it fails, it moves the process
	// back to the cgroups it came from in the hierarchies it had joined
	// and removes the directories it created in that call.
	Apply(pid int) error

	// Set writes the resources r to the cgroup's files: memory limit,
	// memory+swap, reservation, kernel and kernel TCP limits,
	// swappiness and the OOM killer switch; cpu shares, quota, period,
	// burst and idle, and cpuset cpus and mems; the pids limit; blkio
	// weights, leaf weights (CFQ) and per-device weights and throttles;
	// huge page limits; the net_cls class ID and net_prio priorities;
	// the devices allow and deny list. Fields that are nil or empty, and
	// limits of 0 (as in runc), are left as they are, so Set can be
	// called again on a running cgroup to update it; -1 means "no
	// limit". Values are checked first: a limit below -1, a weight out
	// of range, a huge page size the kernel does not have, a block
	// device or interface that does not exist, a bad device rule, or
	// (v1) a controller or file that is missing is an error naming every
	// problem, and nothing is written. The kernel memory limit is
	// written where memory.kmem.limit_in_bytes exists, and Linux 5.16
	// and later discard it (the spec lets runtimes ignore it). If the
	// kernel then refuses a write, the writes before it stay.
	//
	// On a hybrid host whose kernel has the hugetlb controller bound to
	// the cgroup2 hierarchy rather than to a v1 one, the v1 Manager sets
	// huge page limits in the cgroup's cgroup2 directory (hugetlb.SIZE.max),
	// enabling the controller in the ancestors' cgroup.subtree_control.
	//
	// On v1 device rules are written in order to devices.allow and
	// devices.deny. On v2 the kernel enforces device rules only through
	// an eBPF program attached to the cgroup, which this package does
	// not build: Set returns an error wrapping [ErrDevicesNeedEBPF] and
	// writes nothing when r has device rules. A limit whose controller
	// is absent (a v2 hierarchy without the memory controller, say) is
	// an error wrapping [ErrNoController].
	Set(r *specs.LinuxResources) error

	// Freeze stops every process of the cgroup and returns once the
	// kernel reports the cgroup FROZEN (v1 freezer.state, v2
	// cgroup.events "frozen 1"). If the cgroup does not freeze within
	// a few seconds, Freeze thaws it again and returns an error.
	Freeze() error

	// Thaw lets a frozen cgroup run again and returns once it is THAWED.
	Thaw() error

	// FreezerState reports whether the cgroup is thawed, freezing or
	// frozen. A cgroup that does not exist is an error.
	FreezerState() (FreezerState, error)

	// Stats reads the cgroup's counters: cpu, memory, pids and blkio.
	// Counters whose controller is absent stay zero.
	Stats() (*Stats, error)

	// Pids lists the processes in the cgroup and its descendants, sorted.
	Pids() ([]int, error)

	// Paths maps each hierarchy (a controller name such as "memory" or a
	// named hierarchy such as "name=systemd" on v1, "unified" for a
	// cgroup2 hierarchy) to the cgroup's directory in it. The map is a
	// copy.
	Paths() map[string]string

	// NotifyOOM starts watching for OOM kills in the cgroup. Each kill
	// (or, on v1, each OOM event the kernel signals) sends an [OOMEvent].
	// The channel is closed when ctx is done or the cgroup is removed.
	// On v1 it registers an eventfd for memory.oom_control through
	// cgroup.event_control; on v2 it watches memory.events with inotify
	// and reports increases of its oom_kill counter.
	NotifyOOM(ctx context.Context) (<-chan OOMEvent, error)

	// Destroy removes the cgroup's directory, and any sub-cgroups made
	// inside it, in every hierarchy. It fails, removing nothing more,
	// when a process is still in the cgroup, and names the pids. It is
	// idempotent: directories already gone are not an error. Parents
	// created by Apply are left in place, since other cgroups may share
	// them.
	Destroy() error
}

// FreezerState is the state of a cgroup's freezer, as v1's freezer.state
// spells it.
type FreezerState string

// The freezer states.
const (
	Thawed   FreezerState = "THAWED"
	Freezing FreezerState = "FREEZING"
	Frozen   FreezerState = "FROZEN"
)

// An OOMEvent reports that the kernel's OOM killer acted in the cgroup.
type OOMEvent struct {
	// Time is when the event was read.
	Time time.Time
	// OOMKills is the cgroup's oom_kill counter when the event was read
	// (memory.oom_control on v1, memory.events on v2). v1 signals when
	// the cgroup enters OOM, before the killer has chosen a victim, so
	// there it may not count the kill yet; on v2 the event is the
	// counter's increase.
	OOMKills uint64
}

// ErrDevicesNeedEBPF is returned by Set on cgroup v2 when device rules are
// given: v2 has no devices.allow file, only eBPF programs of type
// BPF_PROG_TYPE_CGROUP_DEVICE, which this package does not build.
var ErrDevicesNeedEBPF = errors.New("cgroup v2 enforces device rules only through an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE), which this package does not build")

// ErrNoController is wrapped by errors about a limit whose controller is
// not available to the cgroup.
var ErrNoController = errors.New("controller not available")

// New returns a Manager for the cgroup at cgroupPath, relative to the root
// of every hierarchy (for example "/deferio/web1"). It picks cgroup v1 when
// v1 controllers are mounted and v2 when the host has only a cgroup2
// hierarchy. It validates the path and reads /proc/self/mountinfo, and
// touches nothing else.
func New(cgroupPath string) (Manager, error) {
	p, mounts, err := pathAndMounts(cgroupPath)
	if err != nil {
		return nil, err
	}
	if len(mounts.V1) > 0 {
		return newV1(p, mounts), nil
	}
	if mounts.V2 != "" {
		return newV2(p, mounts.V2), nil
	}
	return nil, errors.New("unable to find a cgroup hierarchy: /proc/self/mountinfo lists no cgroup or cgroup2 mount")
}

// pathAndMounts validates a cgroup path and reads the host's cgroup
// mounts.
func pathAndMounts(cgroupPath string) (string, Mounts, error) {
	p, err := cleanPath(cgroupPath)
	if err != nil {
		return "", Mounts{}, err
	}
	mounts, err := ReadMounts()
	return p, mounts, err
}

// NewV1 is [New] forced to cgroup v1. It fails when no v1 controller is
// mounted. On a hybrid host the Manager also joins the cgroup2 hierarchy,
// under the key "unified", so a process is in the same place everywhere.
func NewV1(cgroupPath string) (Manager, error) {
	p, mounts, err := pathAndMounts(cgroupPath)
	if err != nil {
		return nil, err
	}
	if len(mounts.V1) == 0 {
		return nil, errors.New("unable to use cgroup v1: no v1 controller is mounted")
	}
	return newV1(p, mounts), nil
}

// NewV2 is [New] forced to cgroup v2, using the cgroup2 hierarchy wherever
// it is mounted (on a hybrid host, /sys/fs/cgroup/unified). It fails when
// there is no cgroup2 mount.
func NewV2(cgroupPath string) (Manager, error) {
	p, mounts, err := pathAndMounts(cgroupPath)
	if err != nil {
		return nil, err
	}
	if mounts.V2 == "" {
		return nil, errors.New("unable to use cgroup v2: no cgroup2 hierarchy is mounted")
	}
	return newV2(p, mounts.V2), nil
}

// cleanPath checks a cgroup path: not empty, not the root, no "..", no
// repeated or trailing slashes, no "." elements, no control characters.
// A missing leading slash is added.
func cleanPath(p string) (string, error) {
	if p == "" {
		return "", errors.New("invalid cgroup path: empty")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("invalid cgroup path %q: contains a control character", p)
		}
	}
	abs := p
	if !strings.HasPrefix(abs, "/") {
		abs = "/" + abs
	}
	for _, elem := range strings.Split(abs[1:], "/") {
		switch elem {
		case "..":
			return "", fmt.Errorf("invalid cgroup path %q: contains \"..\"", p)
		case ".", "":
			if abs != "/" {
				return "", fmt.Errorf("invalid cgroup path %q: not clean (empty or \".\" element; want %q)", p, path.Clean(abs))
			}
		}
	}
	if abs == "/" {
		return "", fmt.Errorf("invalid cgroup path %q: the hierarchy root is not a container's cgroup", p)
	}
	return abs, nil
}
