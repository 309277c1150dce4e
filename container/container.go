package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/deferio/deferio/container/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ErrNotExist is wrapped by the error of [Load] for an unknown container.
var ErrNotExist = errors.New("container does not exist")

// ErrExist is wrapped by the error of [Create] for an ID already in use.
var ErrExist = errors.New("container already exists")

// A Container is one container's handle: its state directory and what
// it records. Methods re-read the process table, so a Container loaded in
// one runtime process sees what another one did. A Container is not safe
// for concurrent use.
type Container struct {
	root  string
	dir   string
	state *State

	// Set only in the runtime process that started init.
	initProc  *Process
	sock      *os.File
	forwarder *exec.Cmd

	// The lock (lock.go): the directory's identity, and the locked
	// descriptor while this handle holds it.
	dirDev, dirIno uint64
	lockFd         int
	locked         bool
	// gone is set once destroy removed the container.
	gone bool
}

// Create validates id and cfg and creates the container's state directory
// root/id with a state.json whose status is "creating". Nothing is written
// when id or cfg is invalid. The container has no process until
// [Container.Start]. Create holds the container's lock from the moment
// the directory exists until state.json is written, so a racing delete
// finds either no container or a whole record.
func Create(root, id string, cfg Config) (*Container, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tracef("create: configuration valid")
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("unable to use state root %q: %w", root, err)
	}
	if cfg.Bundle, err = filepath.Abs(cfg.Bundle); err != nil {
		return nil, fmt.Errorf("unable to use bundle %q: %w", cfg.Bundle, err)
	}
	if err := os.MkdirAll(root, 0o711); err != nil {
		return nil, fmt.Errorf("unable to create the state root %s: %w", root, err)
	}
	dir := filepath.Join(root, id)
	if err := os.Mkdir(dir, 0o711); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("unable to create container %s: %w", id, ErrExist)
		}
		return nil, fmt.Errorf("unable to create the state directory of %s: %w", id, err)
	}
	c := &Container{root: root, dir: dir, state: &State{ID: id, Status: Creating}}
	if err := c.recordDir(); err != nil {
		return nil, fmt.Errorf("unable to create container %s: %w", id, err)
	}
	unlock, err := c.lock()
	if err != nil {
		return nil, fmt.Errorf("unable to create container %s: %w", id, err)
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		// Another Create made this directory after a delete removed ours.
		return nil, fmt.Errorf("unable to create container %s: %w", id, ErrExist)
	}
	st := &State{
		OCIVersion: specs.Version, ID: id, Status: Creating, Bundle: cfg.Bundle,
		Annotations: cfg.Spec.Annotations, Created: time.Now().UTC(), Rootfs: cfg.Rootfs(),
		CgroupPath: cgroupPathFor(cfg, id), Config: cfg,
	}
	if err := writeState(dir, st); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.state = st
	tracef("create: state directory and state.json made")
	return c, nil
}

// Load returns the container id recorded under root.
func Load(root, id string) (*Container, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("unable to use state root %q: %w", root, err)
	}
	dir := filepath.Join(root, id)
	st, err := readState(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if fi, derr := os.Stat(dir); derr == nil && fi.IsDir() {
			// Create made the directory but has not written state.json
			// yet, or was killed in between: the container is being
			// created, and ForceDestroy removes the directory.
			c := &Container{root: root, dir: dir, state: &State{ID: id, Status: Creating}}
			c.recordDir() // or lock finds it gone
			return c, nil
		}
		return nil, fmt.Errorf("unable to load container %s: %w", id, ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("unable to load container %s: %w", id, err)
	}
	c := &Container{root: root, dir: dir, state: st}
	if err := c.recordDir(); err != nil {
		return nil, fmt.Errorf("unable to load container %s: %w", id, ErrNotExist)
	}
	return c, nil
}

// List loads every container under root, sorted by ID. Entries that are
// not containers are skipped.
func List(root string) ([]*Container, error) {
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to list containers in %s: %w", root, err)
	}
	var cs []*Container
	for _, e := range entries {
		if !e.IsDir() || ValidateID(e.Name()) != nil {
			continue
		}
		c, err := Load(root, e.Name())
		if err != nil {
			continue
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// ID returns the container's ID.
func (c *Container) ID() string { return c.state.ID }

// Config returns the configuration the container was created with.
func (c *Container) Config() Config { return c.state.Config }

// State returns a copy of the recorded state, with Status refreshed.
func (c *Container) State() State {
	s := *c.state
	s.Status = c.Status()
	return s
}

// Dir returns the container's state directory.
func (c *Container) Dir() string { return c.dir }

// Status looks at the init process, the FIFO and the freezer to say where
// the container is: creating (Start has not finished), created (init waits
// on the FIFO), running, paused (cgroup frozen) or stopped (no init).
func (c *Container) Status() Status {
	s := c.state
	if s.Pid == 0 || !alive(s.Pid, s.PidStartTime) {
		if s.Status == Creating && s.Pid == 0 {
			return Creating
		}
		return Stopped
	}
	if s.Status == Creating {
		return Creating
	}
	if _, err := os.Stat(filepath.Join(c.dir, fifoName)); err == nil {
		return Created
	}
	if c.frozen() {
		return Paused
	}
	return Running
}

// Processes lists the pids (on the host) of every process in the
// container's cgroup, read from cgroup.procs.
func (c *Container) Processes() ([]int, error) {
	cg, err := c.cgroup()
	if err != nil {
		return nil, err
	}
	return cg.Pids()
}

// Signal sends sig to the container's init. A created or running
// container can be signalled; the signal goes through a pidfd so that it
// cannot hit a recycled pid.
func (c *Container) Signal(sig syscall.Signal) error {
	if err := need(c.ID(), "signal", c.Status(), Created, Running, Paused); err != nil {
		return err
	}
	return signalPid(c.state.Pid, c.state.PidStartTime, sig)
}

func signalPid(pid int, start uint64, sig syscall.Signal) error {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fmt.Errorf("unable to open a pidfd for %d: %w", pid, err)
	}
	defer unix.Close(fd)
	if !alive(pid, start) {
		return fmt.Errorf("unable to signal %d: it has exited", pid)
	}
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		return fmt.Errorf("unable to send %v to %d: %w", sig, pid, err)
	}
	return nil
}

// Destroy removes a stopped container: its cgroup and its state
// directory. Deleting a container in any other status is an error that
// changes nothing, as the OCI runtime specification requires; use
// [Container.ForceDestroy] to kill it first. Mounts need no undoing: they
// live in the container's mount namespace, which the kernel removed with
// the last process. Once the container is removed, the poststop hooks run
// (a failed one is a warning, see [WarnTo]).
func (c *Container) Destroy() error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := need(c.ID(), "delete", c.Status(), Stopped); err != nil {
		return err
	}
	return c.destroy()
}

// ForceDestroy is Destroy in any status: it kills every process of the
// container with SIGKILL first. It is how a container whose runtime was
// killed in the middle of Start is cleaned up. If a process or the cgroup
// cannot be removed, the state directory is kept, so that ForceDestroy
// can be called again.
//
// Init is killed before ForceDestroy waits for the container's lock, so
// that a create or start in progress in another runtime process fails at
// once (and cleans up) rather than making delete wait for it; the rest
// is done under the lock. A container that another process removed
// meanwhile is not an error: it is gone, as asked.
func (c *Container) ForceDestroy() error {
	if !c.locked && alive(c.state.Pid, c.state.PidStartTime) {
		signalPid(c.state.Pid, c.state.PidStartTime, unix.SIGKILL)
	}
	unlock, err := c.lock()
	if errors.Is(err, ErrNotExist) {
		c.reapInit()
		return nil
	}
	if err != nil {
		return err
	}
	defer unlock()
	return c.destroy()
}

// reapInit waits for init when this runtime process started it and it
// has exited, so that it does not stay a zombie.
func (c *Container) reapInit() {
	if c.initProc != nil && c.initProc.cmd != nil && c.initProc.cmd.ProcessState == nil && !alive(c.state.Pid, c.state.PidStartTime) {
		c.initProc.cmd.Wait()
	}
}

// destroy removes the container (the caller holds its lock, or made the
// directory itself) and then runs the poststop hooks; it does nothing
// once the container is gone.
func (c *Container) destroy() error {
	if c.gone {
		return nil
	}
	var errs []error
	s := c.state
	if alive(s.Pid, s.PidStartTime) {
		if err := signalPid(s.Pid, s.PidStartTime, unix.SIGKILL); err != nil && alive(s.Pid, s.PidStartTime) {
			errs = append(errs, err)
		}
	}
	if c.initProc != nil && c.initProc.cmd != nil && c.initProc.cmd.ProcessState == nil {
		c.initProc.cmd.Wait() // reap our child; its status is of no interest here
	}
	if err := waitGone(s.Pid, s.PidStartTime, cgroupRemoveTimeout); err != nil {
		errs = append(errs, err)
	}
	tracef("destroy: init gone")
	if s.ForwarderPid != 0 {
		if err := c.stopForwarder(); err != nil {
			errs = append(errs, err)
		}
		tracef("destroy: port forwarder stopped")
	}
	if s.HostInterface != "" {
		if err := deleteLink(s.HostInterface); err != nil {
			errs = append(errs, err)
		}
		tracef("destroy: veth %s removed", s.HostInterface)
	}
	if c.sock != nil {
		c.sock.Close()
		c.sock = nil
	}
	keep := len(errs) > 0 // init may still live: keep its record
	if s.CgroupPath != "" {
		if err := destroyCgroup(s.CgroupPath); err != nil {
			errs = append(errs, err)
			// Unless the path cannot name a cgroup at all, the cgroup
			// may still be there: keep the record of it.
			keep = keep || !errors.Is(err, errBadCgroup)
		}
	}
	tracef("destroy: cgroup removed")
	if keep {
		// Removing the state now would lose the only record of what is
		// left (a later delete would say "does not exist"): keep it, so
		// that delete --force can be run again.
		errs = append(errs, fmt.Errorf("the state of %s is kept in %s: run delete --force again", c.ID(), c.dir))
		return errors.Join(errs...)
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, fmt.Errorf("unable to remove the state of %s: %w", c.ID(), err))
		return errors.Join(errs...)
	}
	tracef("destroy: state removed")
	c.gone = true
	if s.Pid != 0 {
		// Only for a container that got as far as an init: one that
		// failed before had no lifecycle to end.
		runPoststopHooks(s.Config.Spec, c.hookState(Stopped))
	}
	return errors.Join(errs...)
}

// errBadCgroup is wrapped by destroyCgroup's error when path names no
// cgroup that could exist (the path is invalid or no hierarchy is
// mounted), so there is nothing left to remove.
var errBadCgroup = errors.New("no such cgroup can exist")

// cgroupRemoveTimeout bounds destroyCgroup and the wait for a killed
// init. Removal is usually immediate; the bound is generous because each
// thread of a killed process leaves its cgroups only as it finishes
// exiting, which on a loaded machine can come after /proc shows the
// process as a zombie (the thread group leader) and after cgroup.procs
// stops listing it (the kernel skips a group whose threads are all
// exiting), and until then rmdir fails with EBUSY.
const cgroupRemoveTimeout = 30 * time.Second

// destroyCgroup kills what is left in the cgroup (processes of a
// container without its own PID namespace survive their init) and removes
// it, retrying while the kernel finishes the kills.
func destroyCgroup(path string) error {
	cg, err := newCgroup(path)
	if err != nil {
		return fmt.Errorf("%w: %w", errBadCgroup, err)
	}
	if removedEmpty(cg.Paths()) {
		return nil
	}
	deadline := time.Now().Add(cgroupRemoveTimeout)
	for {
		pids, err := pidsInAnyHierarchy(cg)
		if err == nil && len(pids) == 0 {
			// A process that just died may still hold a hierarchy for
			// a moment: retry until the deadline.
			if err = cg.Destroy(); err == nil || time.Now().After(deadline) {
				return err
			}
		}
		for _, pid := range pids {
			if pid != os.Getpid() && !slices.Contains([]int{0, 1}, pid) {
				unix.Kill(pid, unix.SIGKILL)
			}
		}
		if time.Now().After(deadline) {
			if err != nil {
				return err
			}
			return fmt.Errorf("unable to remove cgroup %s: processes %v remain", path, pids)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// removedEmpty tries the common case first: every directory of the
// cgroup is empty (init and its PID namespace are gone, no sub-cgroup
// was made), so one rmdir each removes it. The kernel refuses with EBUSY
// a cgroup that still has a process or a child, in each hierarchy the
// process is in: a directory that goes is one with nothing in it. It
// reports whether all are gone; if not, the caller kills, walks and
// retries.
func removedEmpty(dirs map[string]string) bool {
	ok := true
	for _, d := range dirs {
		if err := unix.Rmdir(d); err != nil && !errors.Is(err, unix.ENOENT) {
			ok = false
		}
	}
	return ok
}

// pidsInAnyHierarchy lists the processes in the cgroup (and below it) in
// every hierarchy, not only the one [cgroups.Manager.Pids] reads: a
// runtime killed in the middle of Apply leaves init in the first
// hierarchies only, where Destroy finds it and refuses.
func pidsInAnyHierarchy(cg cgroups.Manager) ([]int, error) {
	var all []int
	for _, dir := range cg.Paths() {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil // not made, or removed meanwhile
				}
				return err
			}
			if !d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(filepath.Join(p, "cgroup.procs"))
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil {
					all = append(all, pid)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("unable to list the processes of cgroup %s: %w", dir, err)
		}
	}
	slices.Sort(all)
	return slices.Compact(all), nil
}
