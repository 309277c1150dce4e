package cgroups

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v2 manages one cgroup in the unified hierarchy: one directory, whose
// controllers are those its parent enabled in cgroup.subtree_control.
type v2 struct {
	path string
	root string // mount point of the cgroup2 hierarchy
	dir  string
}

var _ Manager = (*v2)(nil)

func newV2(p, root string) *v2 { return &v2{path: p, root: root, dir: filepath.Join(root, p)} }

func (v *v2) Paths() map[string]string { return map[string]string{unifiedKey: v.dir} }

// Apply creates the directory and its parents. For each new level it
// enables, in the parent's cgroup.subtree_control, every controller the
// parent has (cgroup.controllers), so limits can be set below. v2's "no
// internal processes" rule means a cgroup with enabled controllers cannot
// hold processes itself: only leaves do, which the container's is.
func (v *v2) Apply(pid int) (err error) {
	if pid <= 0 {
		return fmt.Errorf("unable to apply cgroup %s: invalid pid %d", v.path, pid)
	}
	origin, err := procCgroups(pid)
	if err != nil {
		return fmt.Errorf("unable to apply cgroup %s: %w", v.path, err)
	}
	made, err := mkdirCgroup(v.root, v.dir)
	if err != nil {
		return fmt.Errorf("unable to apply cgroup %s: %w", v.path, err)
	}
	moved := false
	defer func() {
		if err != nil {
			if o, ok := origin[""]; ok && moved {
				_ = writeFile(filepath.Join(v.root, o), "cgroup.procs", strconv.Itoa(pid))
			}
			removeDirs(made)
		}
	}()
	for _, d := range made {
		if err := enableControllers(filepath.Dir(d)); err != nil {
			return fmt.Errorf("unable to apply cgroup %s: %w", v.path, err)
		}
	}
	if err := writeFile(v.dir, "cgroup.procs", strconv.Itoa(pid)); err != nil {
		return fmt.Errorf("unable to move process %d into cgroup %s: %w", pid, v.path, err)
	}
	moved = true
	return nil
}

// enableControllers writes "+c" for each available controller of dir
// that is not yet in its cgroup.subtree_control.
func enableControllers(dir string) error {
	avail, err := readFile(dir, "cgroup.controllers")
	if err != nil {
		return err
	}
	on, err := readFile(dir, "cgroup.subtree_control")
	if err != nil {
		return err
	}
	var add []string
	for _, c := range strings.Fields(avail) {
		if !slices.Contains(strings.Fields(on), c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	return writeFile(dir, "cgroup.subtree_control", strings.Join(add, " "))
}

func (v *v2) Pids() ([]int, error) { return treePids(v.dir) }

func (v *v2) Destroy() error {
	if err := removeTree(v.dir); err != nil {
		return fmt.Errorf("unable to destroy cgroup %s: %w", v.path, err)
	}
	return nil
}

func (v *v2) Freeze() error { return setFrozenV2(v.dir, true) }
func (v *v2) Thaw() error   { return setFrozenV2(v.dir, false) }

func (v *v2) FreezerState() (FreezerState, error) { return stateV2(v.dir) }

func (v *v2) NotifyOOM(ctx context.Context) (<-chan OOMEvent, error) {
	return notifyOOMV2(ctx, v.dir)
}

// controllers returns the controllers enabled for the cgroup (the
// cgroup.controllers file of its own directory).
func (v *v2) controllers() ([]string, error) {
	s, err := readFile(v.dir, "cgroup.controllers")
	if err != nil {
		return nil, err
	}
	return strings.Fields(s), nil
}

// Set on v2. Shares become cpu.weight by runc's formula (2..262144 onto
// 1..10000); memory.swap is memory+swap in the spec but swap alone in
// memory.swap.max, so the limit is subtracted.
func (v *v2) Set(r *specs.LinuxResources) error {
	wrap := func(err error) error { return fmt.Errorf("unable to set the resources of cgroup %s: %w", v.path, err) }
	if err := validateResources(r); err != nil {
		return wrap(err)
	}
	if len(r.Devices) > 0 {
		return wrap(fmt.Errorf("%d device rules given: %w; leave linux.resources.devices empty on cgroup v2 or use cgroup v1", len(r.Devices), ErrDevicesNeedEBPF))
	}
	ws, err := v2MemoryWrites(r.Memory)
	if err != nil {
		return wrap(err)
	}
	ws = append(ws, v2CPUWrites(r.CPU)...)
	if p := r.Pids; p != nil && p.Limit != nil && *p.Limit != 0 {
		ws = append(ws, v2Write{"pids", "pids.max", maxString(*p.Limit)})
	}
	ws = append(ws, v2IOWrites(r.BlockIO)...)
	if err := checkHugePages(r.HugepageLimits); err != nil {
		return wrap(err)
	}
	for _, h := range r.HugepageLimits {
		val := strconv.FormatUint(h.Limit, 10)
		ws = append(ws, v2Write{"hugetlb", "hugetlb." + h.Pagesize + ".max", val})
		// The reservation limit, where the kernel has one (5.7+).
		if exists(v.dir, "hugetlb."+h.Pagesize+".rsvd.max") {
			ws = append(ws, v2Write{"hugetlb", "hugetlb." + h.Pagesize + ".rsvd.max", val})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Unified)) {
		ctl, _, _ := strings.Cut(k, ".")
		ws = append(ws, v2Write{ctl, k, r.Unified[k]})
	}
	// Check every controller before the first write.
	if len(ws) > 0 {
		have, err := v.controllers()
		if err != nil {
			return wrap(err)
		}
		for _, w := range ws {
			if !slices.Contains(have, w.controller) {
				return wrap(fmt.Errorf("%s needs the %s controller, and %s lists only [%s]: %w", w.file, w.controller, filepath.Join(v.dir, "cgroup.controllers"), strings.Join(have, " "), ErrNoController))
			}
		}
	}
	for _, w := range ws {
		if err := writeFile(v.dir, w.file, w.value); err != nil {
			return wrap(err)
		}
	}
	return nil
}

// A v2Write is one value Set writes to a v2 cgroup's file, which needs
// the named controller.
type v2Write struct{ controller, file, value string }

// v2MemoryWrites turns linux.resources.memory into v2 files. On v2 swap
// is limited apart from memory: memory.swap.max is the OCI swap (memory
// plus swap) less the memory limit.
func v2MemoryWrites(m *specs.LinuxMemory) ([]v2Write, error) {
	if m == nil {
		return nil, nil
	}
	var ws []v2Write
	if m.Limit != nil && *m.Limit != 0 {
		ws = append(ws, v2Write{"memory", "memory.max", maxString(*m.Limit)})
	}
	if m.Swap != nil && *m.Swap != 0 {
		swap := *m.Swap
		if swap != -1 {
			if m.Limit == nil || *m.Limit <= 0 {
				return nil, fmt.Errorf("memory.swap %d needs memory.limit on cgroup v2, where swap is limited apart from memory", swap)
			}
			swap -= *m.Limit
		}
		ws = append(ws, v2Write{"memory", "memory.swap.max", maxString(swap)})
	}
	if m.Reservation != nil && *m.Reservation != 0 {
		ws = append(ws, v2Write{"memory", "memory.low", maxString(*m.Reservation)})
	}
	return ws, nil
}

// v2CPUWrites turns linux.resources.cpu into v2 files: shares become a
// weight (2..262144 onto 1..10000), quota and period one cpu.max.
func v2CPUWrites(c *specs.LinuxCPU) []v2Write {
	if c == nil {
		return nil
	}
	var ws []v2Write
	if c.Shares != nil {
		ws = append(ws, v2Write{"cpu", "cpu.weight", strconv.FormatUint(1+((*c.Shares-2)*9999)/262142, 10)})
	}
	if c.Quota != nil || c.Period != nil {
		quota, period := "max", "100000"
		if c.Quota != nil {
			quota = maxString(*c.Quota)
		}
		if c.Period != nil {
			period = strconv.FormatUint(*c.Period, 10)
		}
		ws = append(ws, v2Write{"cpu", "cpu.max", quota + " " + period})
	}
	if c.Burst != nil {
		ws = append(ws, v2Write{"cpu", "cpu.max.burst", strconv.FormatUint(*c.Burst, 10)})
	}
	if c.Idle != nil {
		ws = append(ws, v2Write{"cpu", "cpu.idle", strconv.FormatInt(*c.Idle, 10)})
	}
	if c.Cpus != "" {
		ws = append(ws, v2Write{"cpuset", "cpuset.cpus", c.Cpus})
	}
	if c.Mems != "" {
		ws = append(ws, v2Write{"cpuset", "cpuset.mems", c.Mems})
	}
	return ws
}

// v2IOWrites turns linux.resources.blockIO into v2 files: the weight for
// BFQ and one io.max line per throttled device.
func v2IOWrites(b *specs.LinuxBlockIO) []v2Write {
	if b == nil {
		return nil
	}
	var ws []v2Write
	if b.Weight != nil {
		ws = append(ws, v2Write{"io", "io.bfq.weight", strconv.Itoa(int(*b.Weight))})
	}
	for _, t := range []struct {
		key  string
		list []specs.LinuxThrottleDevice
	}{{"rbps", b.ThrottleReadBpsDevice}, {"wbps", b.ThrottleWriteBpsDevice}, {"riops", b.ThrottleReadIOPSDevice}, {"wiops", b.ThrottleWriteIOPSDevice}} {
		for _, d := range t.list {
			ws = append(ws, v2Write{"io", "io.max", fmt.Sprintf("%d:%d %s=%d", d.Major, d.Minor, t.key, d.Rate)})
		}
	}
	return ws
}

// Stats on v2 reads cpu.stat (present even without the cpu controller:
// usage is always accounted), then memory, pids and io if enabled.
func (v *v2) Stats() (*Stats, error) {
	var s Stats
	wrap := func(err error) error { return fmt.Errorf("unable to read the stats of cgroup %s: %w", v.path, err) }
	kv, err := readKeyValues(v.dir, "cpu.stat")
	if err != nil {
		return nil, wrap(err)
	}
	s.CPU = CPUStats{
		UsageTotal: kv["usage_usec"] * 1000, UsageUser: kv["user_usec"] * 1000, UsageSystem: kv["system_usec"] * 1000,
		Periods: kv["nr_periods"], ThrottledPeriods: kv["nr_throttled"], ThrottledTime: kv["throttled_usec"] * 1000,
	}
	if exists(v.dir, "memory.current") {
		m := &s.Memory
		for _, f := range []struct {
			name string
			dst  *uint64
		}{{"memory.current", &m.Usage}, {"memory.peak", &m.MaxUsage}, {"memory.max", &m.Limit}} {
			if !exists(v.dir, f.name) {
				continue
			}
			if *f.dst, err = readUint(v.dir, f.name); err != nil {
				return nil, wrap(err)
			}
		}
		st, err := readKeyValues(v.dir, "memory.stat")
		if err != nil {
			return nil, wrap(err)
		}
		m.Cache = st["file"]
		ev, err := readKeyValues(v.dir, "memory.events")
		if err != nil {
			return nil, wrap(err)
		}
		m.Failcnt, m.OOMKills = ev["max"], ev["oom_kill"]
	}
	if exists(v.dir, "pids.current") {
		if s.Pids.Current, err = readUint(v.dir, "pids.current"); err != nil {
			return nil, wrap(err)
		}
		if s.Pids.Limit, err = readUint(v.dir, "pids.max"); err != nil {
			return nil, wrap(err)
		}
	}
	if exists(v.dir, "io.stat") {
		txt, err := readFile(v.dir, "io.stat")
		if err != nil {
			return nil, wrap(err)
		}
		if s.Blkio.IOServiceBytes, err = parseBlkioV2(txt); err != nil {
			return nil, wrap(err)
		}
	}
	return &s, nil
}
