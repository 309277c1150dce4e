package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// stateFile is the name of the state record in a container's directory.
const stateFile = "state.json"

// fifoName is the FIFO that init blocks on between create and start.
const fifoName = "exec.fifo"

// State is what state.json holds: the OCI state plus what the runtime needs
// to find the container's pieces again from another process.
type State struct {
	// OCIVersion, ID, Pid and Bundle are the OCI state fields; Status is
	// the status last written, which [Container.Status] refines by
	// looking at the process, the FIFO and the freezer.
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Status      Status            `json:"status"`
	Pid         int               `json:"pid,omitempty"`
	Bundle      string            `json:"bundle"`
	Annotations map[string]string `json:"annotations,omitempty"`

	// PidStartTime is the init process's start time in clock ticks
	// (/proc/PID/stat field 22), so that a recycled pid is not taken for
	// the container's init.
	PidStartTime uint64 `json:"pidStartTime,omitempty"`
	// Created is when Start began.
	Created time.Time `json:"created"`
	// Rootfs is the absolute path of the root filesystem on the host.
	Rootfs string `json:"rootfs"`
	// CgroupPath is the cgroup path under each hierarchy's root, and
	// CgroupPaths the directories it names.
	CgroupPath  string            `json:"cgroupPath,omitempty"`
	CgroupPaths map[string]string `json:"cgroupPaths,omitempty"`
	// Config is the configuration the container was created with.
	Config Config `json:"config"`
	// HostInterface is the host end of the container's veth pair, named
	// here before the pair is created, so that delete removes it even
	// after a runtime killed half-way.
	HostInterface string `json:"hostInterface,omitempty"`
	// ForwarderPid and ForwarderStartTime identify the process that
	// forwards the published ports.
	ForwarderPid       int    `json:"forwarderPid,omitempty"`
	ForwarderStartTime uint64 `json:"forwarderStartTime,omitempty"`
}

// OCI returns the state in the OCI runtime-spec format printed by
// `nsinit state ID`.
func (s *State) OCI(status Status) specs.State {
	st := specs.State{Version: specs.Version, ID: s.ID, Status: specs.ContainerState(status), Bundle: s.Bundle, Annotations: s.Annotations}
	if status != Stopped {
		st.Pid = s.Pid
	}
	return st
}

// writeState writes s to dir/state.json atomically: a temporary file in
// the same directory, renamed over the old one, so a reader (or a runtime
// killed half-way) only ever sees a whole record. It does not fsync: the
// state describes processes, which do not survive a power loss either,
// and an fsync per write cost more than the rest of `nsinit run` on this
// machine's ext4.
func writeState(dir string, s *State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("unable to encode the state of %s: %w", s.ID, err)
	}
	f, err := os.CreateTemp(dir, ".state-*.json")
	if err != nil {
		return fmt.Errorf("unable to write the state of %s: %w", s.ID, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("unable to write the state of %s: %w", s.ID, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("unable to write the state of %s: %w", s.ID, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("unable to replace the state of %s: %w", s.ID, err)
	}
	return nil
}

func readState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("unable to decode %s: %w", filepath.Join(dir, stateFile), err)
	}
	if s.Config.Spec == nil || s.Config.Spec.Linux == nil || s.Config.Spec.Process == nil || s.Config.Spec.Root == nil {
		return nil, fmt.Errorf("unable to use %s: it has no complete configuration (process, root and linux)", filepath.Join(dir, stateFile))
	}
	return &s, nil
}

// procStartTime returns field 22 of /proc/pid/stat (start time in clock
// ticks) and whether the process is a zombie or dead.
func procStartTime(pid int) (start uint64, dead bool, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, true, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, true, fmt.Errorf("unable to parse /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); field 22 is f[19].
	if len(f) < 20 {
		return 0, true, fmt.Errorf("unable to parse /proc/%d/stat: %d fields", pid, len(f)+2)
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return 0, true, fmt.Errorf("unable to parse the start time in /proc/%d/stat: %w", pid, err)
	}
	return start, f[0] == "Z" || f[0] == "X", nil
}

// alive reports whether pid is still the process that started at start.
func alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	st, dead, err := procStartTime(pid)
	return err == nil && !dead && st == start
}

// waitGone waits until pid (started at start) has exited, using a pidfd so
// that it works for processes that are not our children.
func waitGone(pid int, start uint64, timeout time.Duration) error {
	if !alive(pid, start) {
		return nil
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return nil
		}
		return fmt.Errorf("unable to open a pidfd for %d: %w", pid, err)
	}
	defer unix.Close(fd)
	deadline := time.Now().Add(timeout)
	for alive(pid, start) {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("process %d is still alive after %v", pid, timeout)
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, int(min(left, 100*time.Millisecond)/time.Millisecond)+1); err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("unable to wait for process %d: %w", pid, err)
		}
	}
	return nil
}
