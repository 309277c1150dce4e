package container

import (
	"context"
	"fmt"

	"github.com/deferio/deferio/container/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// newCgroup is the one place where the cgroup implementation is plugged
// in: package container/cgroups, which picks v1 or v2 from the host.
var newCgroup = cgroups.New

// cgroupPathFor returns the cgroup path for a container: the spec's
// linux.cgroupsPath, or /deferio/ID.
func cgroupPathFor(cfg Config, id string) string {
	if cfg.Spec.Linux != nil && cfg.Spec.Linux.CgroupsPath != "" {
		return cfg.Spec.Linux.CgroupsPath
	}
	return "/deferio/" + id
}

// cgroupInUse says which processes (as text, "" for none) are already in
// the cgroup at path.
func cgroupInUse(path string) (string, error) {
	cg, err := newCgroup(path)
	if err != nil {
		return "", fmt.Errorf("unable to prepare cgroup %s: %w", path, err)
	}
	pids, err := cg.Pids()
	if err != nil {
		return "", fmt.Errorf("unable to read the processes of cgroup %s: %w", path, err)
	}
	if len(pids) > 0 {
		return fmt.Sprintf("processes %v", pids), nil
	}
	return "", nil
}

func (c *Container) cgroup() (cgroups.Manager, error) {
	cg, err := newCgroup(c.state.CgroupPath)
	if err != nil {
		return nil, fmt.Errorf("unable to open the cgroup of %s: %w", c.ID(), err)
	}
	return cg, nil
}

// frozen reports whether the container's cgroup is frozen.
func (c *Container) frozen() bool {
	cg, err := c.cgroup()
	if err != nil {
		return false
	}
	st, err := cg.FreezerState()
	return err == nil && st == cgroups.Frozen
}

// Pause freezes every process of a running container (its cgroup's
// freezer): the container becomes "paused".
func (c *Container) Pause() error {
	if err := need(c.ID(), "pause", c.Status(), Running); err != nil {
		return err
	}
	cg, err := c.cgroup()
	if err != nil {
		return err
	}
	if err := cg.Freeze(); err != nil {
		return fmt.Errorf("unable to pause %s: %w", c.ID(), err)
	}
	return nil
}

// Resume thaws a paused container: it is "running" again.
func (c *Container) Resume() error {
	if err := need(c.ID(), "resume", c.Status(), Paused); err != nil {
		return err
	}
	cg, err := c.cgroup()
	if err != nil {
		return err
	}
	if err := cg.Thaw(); err != nil {
		return fmt.Errorf("unable to resume %s: %w", c.ID(), err)
	}
	return nil
}

// Stats are a container's counters: its cgroup's, and those of each
// interface of its network namespace, as the classic libcontainer's
// Stats held them.
type Stats struct {
	*cgroups.Stats
	// Interfaces are the counters of the container's network interfaces
	// (see [Container.InterfaceStats]); empty without a network
	// namespace of its own.
	Interfaces []InterfaceStats `json:"Interfaces,omitempty"`
}

// Stats reads the container's cgroup and interface counters.
func (c *Container) Stats() (*Stats, error) {
	if err := need(c.ID(), "read the stats of", c.Status(), Created, Running, Paused); err != nil {
		return nil, err
	}
	cg, err := c.cgroup()
	if err != nil {
		return nil, err
	}
	cs, err := cg.Stats()
	if err != nil {
		return nil, err
	}
	ifs, err := c.InterfaceStats()
	if err != nil {
		return nil, err
	}
	return &Stats{Stats: cs, Interfaces: ifs}, nil
}

// Update writes new resource limits to a live container's cgroup and
// records them in its configuration.
func (c *Container) Update(r *specs.LinuxResources) error {
	if err := need(c.ID(), "update", c.Status(), Created, Running, Paused); err != nil {
		return err
	}
	cg, err := c.cgroup()
	if err != nil {
		return err
	}
	if err := cg.Set(r); err != nil {
		return fmt.Errorf("unable to update %s: %w", c.ID(), err)
	}
	c.state.Config.Spec.Linux.Resources = r
	return writeState(c.dir, c.state)
}

// NotifyOOM reports each OOM kill in the container's cgroup until ctx is
// done or the cgroup goes away.
func (c *Container) NotifyOOM(ctx context.Context) (<-chan cgroups.OOMEvent, error) {
	if err := need(c.ID(), "watch", c.Status(), Created, Running, Paused); err != nil {
		return nil, err
	}
	cg, err := c.cgroup()
	if err != nil {
		return nil, err
	}
	return cg.NotifyOOM(ctx)
}
