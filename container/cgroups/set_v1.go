package cgroups

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Set on v1 writes each controller's files in its own hierarchy. A zero
// limit, like a nil one, leaves the file as it is (runc does the same).
// Everything that can be known before a write is checked first (values,
// controllers, files, huge page sizes, devices, interfaces), so that bad
// input or a missing controller changes nothing.
func (v *v1) Set(r *specs.LinuxResources) error {
	if err := validateResources(r); err != nil {
		return fmt.Errorf("unable to set the resources of cgroup %s: %w", v.path, err)
	}
	if err := v.check(r); err != nil {
		return fmt.Errorf("unable to set the resources of cgroup %s: %w", v.path, err)
	}
	for _, step := range []func(*specs.LinuxResources) error{v.setKernelMemory, v.setMemory, v.setCPU, v.setPids, v.setBlkio, v.setHugetlb, v.setNetwork, v.setDevices} {
		if err := step(r); err != nil {
			return fmt.Errorf("unable to set the resources of cgroup %s: %w", v.path, err)
		}
	}
	return nil
}

// need returns the directory of controller, checked to hold every file
// in files; the error names what is missing and wraps ErrNoController.
func (v *v1) need(controller, why string, files ...string) (string, error) {
	d, err := v.dir(controller)
	if err != nil {
		return "", fmt.Errorf("unable to set %s: %w", why, err)
	}
	for _, f := range files {
		if !exists(d, f) {
			return "", fmt.Errorf("unable to set %s: %s has no %s: %w", why, d, f, ErrNoController)
		}
	}
	return d, nil
}

// set reports whether an optional limit is given and not 0 (0 leaves
// the file as it is).
func set(p *int64) bool { return p != nil && *p != 0 }

// check is Set's look before the first write: every controller and file
// the resources need, and the devices, page sizes and interfaces they
// name, must exist.
func (v *v1) check(r *specs.LinuxResources) error {
	var errs []error
	need := func(controller, why string, files ...string) {
		if _, err := v.need(controller, why, files...); err != nil {
			errs = append(errs, err)
		}
	}
	if len(r.Unified) > 0 {
		errs = append(errs, errors.New("linux.resources.unified applies to cgroup v2 only"))
	}
	if m := r.Memory; m != nil {
		if set(m.Limit) || set(m.Reservation) || m.Swappiness != nil || m.DisableOOMKiller != nil {
			need("memory", "memory", "memory.limit_in_bytes")
		}
		if set(m.Swap) {
			need("memory", "memory.swap (swap accounting may be off)", "memory.memsw.limit_in_bytes")
		}
		if set(kernelLimit(m)) {
			need("memory", "memory.kernel")
		}
		if set(m.KernelTCP) {
			need("memory", "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes")
		}
		if m.Swappiness != nil {
			need("memory", "memory.swappiness", "memory.swappiness")
		}
		if m.DisableOOMKiller != nil {
			need("memory", "memory.disableOOMKiller", "memory.oom_control")
		}
	}
	if c := r.CPU; c != nil {
		if c.Shares != nil || c.Quota != nil || c.Period != nil || c.Burst != nil || c.Idle != nil || c.RealtimeRuntime != nil || c.RealtimePeriod != nil {
			need("cpu", "cpu")
		}
		if c.Cpus != "" || c.Mems != "" {
			need("cpuset", "cpu.cpus and cpu.mems")
		}
	}
	if r.Pids != nil && set(r.Pids.Limit) {
		need("pids", "pids.limit")
	}
	if b := r.BlockIO; b != nil {
		weights, leaves := b.Weight != nil, b.LeafWeight != nil
		for _, w := range b.WeightDevice {
			weights = weights || w.Weight != nil
			leaves = leaves || w.LeafWeight != nil
		}
		if weights {
			if d, err := v.dir("blkio"); err == nil && !exists(d, "blkio.weight") && !exists(d, "blkio.bfq.weight") {
				errs = append(errs, fmt.Errorf("unable to set blockIO.weight: %s has neither blkio.weight nor blkio.bfq.weight (no CFQ or BFQ scheduler): %w", d, ErrNoController))
			} else if err != nil {
				errs = append(errs, fmt.Errorf("unable to set blockIO.weight: %w", err))
			}
		}
		if leaves {
			need("blkio", "blockIO.leafWeight (CFQ only, gone since Linux 5.0)", "blkio.leaf_weight")
		}
		for _, t := range throttleFiles(b) {
			if len(t.list) > 0 {
				need("blkio", "blockIO throttles", t.file)
			}
		}
		if err := checkBlockDevices(b); err != nil {
			errs = append(errs, err)
		}
	}
	if len(r.HugepageLimits) > 0 {
		if err := checkHugePages(r.HugepageLimits); err != nil {
			errs = append(errs, err)
		} else if _, _, err := v.hugetlbDir(); err != nil {
			errs = append(errs, err)
		}
	}
	if n := r.Network; n != nil {
		if n.ClassID != nil {
			need("net_cls", "network.classID", "net_cls.classid")
		}
		if len(n.Priorities) > 0 {
			need("net_prio", "network.priorities", "net_prio.ifpriomap")
			for i, p := range n.Priorities {
				// net_prio.ifpriomap names devices of the writer's
				// network namespace: the runtime's.
				if _, err := net.InterfaceByName(p.Name); err != nil {
					errs = append(errs, fmt.Errorf("invalid network.priorities[%d].name %q: no such interface in the runtime's network namespace", i, p.Name))
				}
			}
		}
	}
	if len(r.Devices) > 0 {
		need("devices", "devices", "devices.allow", "devices.deny")
	}
	return errors.Join(errs...)
}

// writes writes name=value pairs in order into dir.
func writes(dir string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := writeFile(dir, pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// kernelLimit is memory.kernel, read in this one place: the field is
// deprecated ("it may be ignored by runtimes", runtime-spec v1.3.0).
func kernelLimit(m *specs.LinuxMemory) *int64 {
	//lint:ignore SA1019 written where the kernel has the file, see setKernelMemory
	return m.Kernel
}

// setKernelMemory writes memory.kernel and memory.kernelTCP. Kernels
// before 5.16 enforce memory.kmem.limit_in_bytes; later ones keep the file
// but discard what is written to it (logging "kmem.limit_in_bytes is
// deprecated ... Writing any value to this file has no effect"), and a
// kernel without kernel memory accounting has no file. The spec marks the
// field NOT RECOMMENDED and says runtimes may ignore it, and runc does, so
// Set writes it where the file exists and otherwise leaves it, rather
// than refusing configurations that still carry it.
// memory.kmem.tcp.limit_in_bytes is still enforced on cgroup v1.
func (v *v1) setKernelMemory(r *specs.LinuxResources) error {
	m := r.Memory
	if m == nil || (!set(kernelLimit(m)) && !set(m.KernelTCP)) {
		return nil
	}
	d, err := v.dir("memory")
	if err != nil {
		return err
	}
	if kern := kernelLimit(m); set(kern) && exists(d, "memory.kmem.limit_in_bytes") {
		if err := writeFile(d, "memory.kmem.limit_in_bytes", limitString(*kern)); err != nil {
			return err
		}
	}
	if set(m.KernelTCP) {
		return writeFile(d, "memory.kmem.tcp.limit_in_bytes", limitString(*m.KernelTCP))
	}
	return nil
}

func (v *v1) setMemory(r *specs.LinuxResources) error {
	m := r.Memory
	if m == nil {
		return nil
	}
	d, err := v.dir("memory")
	if err != nil {
		return err
	}
	limit, swap := int64(0), int64(0)
	if m.Limit != nil {
		limit = *m.Limit
	}
	if m.Swap != nil {
		swap = *m.Swap
	}
	// memory.memsw.limit_in_bytes must stay >= memory.limit_in_bytes
	// after every single write, so the order depends on the direction:
	// raising, memsw goes first; lowering, the memory limit goes first.
	switch {
	case limit != 0 && swap != 0:
		cur, err := readUint(d, "memory.memsw.limit_in_bytes")
		if err != nil {
			return err
		}
		if limit == -1 || (!noLimit(cur) && uint64(limit) > cur) {
			err = writes(d, "memory.memsw.limit_in_bytes", limitString(swap), "memory.limit_in_bytes", limitString(limit))
		} else {
			err = writes(d, "memory.limit_in_bytes", limitString(limit), "memory.memsw.limit_in_bytes", limitString(swap))
		}
		if err != nil {
			return err
		}
	case limit != 0:
		if err := writeFile(d, "memory.limit_in_bytes", limitString(limit)); err != nil {
			return err
		}
	case swap != 0:
		if err := writeFile(d, "memory.memsw.limit_in_bytes", limitString(swap)); err != nil {
			return err
		}
	}
	if m.Reservation != nil && *m.Reservation != 0 {
		if err := writeFile(d, "memory.soft_limit_in_bytes", limitString(*m.Reservation)); err != nil {
			return err
		}
	}
	if m.Swappiness != nil {
		if err := writeFile(d, "memory.swappiness", strconv.FormatUint(*m.Swappiness, 10)); err != nil {
			return err
		}
	}
	if m.DisableOOMKiller != nil {
		val := "0"
		if *m.DisableOOMKiller {
			val = "1"
		}
		if err := writeFile(d, "memory.oom_control", val); err != nil {
			return err
		}
	}
	return nil
}

func (v *v1) setCPU(r *specs.LinuxResources) error {
	c := r.CPU
	if c == nil {
		return nil
	}
	if c.Shares != nil || c.Quota != nil || c.Period != nil || c.Burst != nil || c.Idle != nil || c.RealtimeRuntime != nil || c.RealtimePeriod != nil {
		d, err := v.dir("cpu")
		if err != nil {
			return err
		}
		var pairs []string
		if c.Shares != nil {
			pairs = append(pairs, "cpu.shares", strconv.FormatUint(*c.Shares, 10))
		}
		// The period first: the kernel checks the quota against it.
		if c.Period != nil {
			pairs = append(pairs, "cpu.cfs_period_us", strconv.FormatUint(*c.Period, 10))
		}
		if c.Quota != nil {
			pairs = append(pairs, "cpu.cfs_quota_us", strconv.FormatInt(*c.Quota, 10))
		}
		if c.Burst != nil {
			pairs = append(pairs, "cpu.cfs_burst_us", strconv.FormatUint(*c.Burst, 10))
		}
		if c.Idle != nil {
			pairs = append(pairs, "cpu.idle", strconv.FormatInt(*c.Idle, 10))
		}
		if c.RealtimePeriod != nil {
			pairs = append(pairs, "cpu.rt_period_us", strconv.FormatUint(*c.RealtimePeriod, 10))
		}
		if c.RealtimeRuntime != nil {
			pairs = append(pairs, "cpu.rt_runtime_us", strconv.FormatInt(*c.RealtimeRuntime, 10))
		}
		if err := writes(d, pairs...); err != nil {
			return err
		}
	}
	if c.Cpus != "" || c.Mems != "" {
		d, err := v.dir("cpuset")
		if err != nil {
			return err
		}
		if c.Cpus != "" {
			if err := writeFile(d, "cpuset.cpus", c.Cpus); err != nil {
				return err
			}
		}
		if c.Mems != "" {
			if err := writeFile(d, "cpuset.mems", c.Mems); err != nil {
				return err
			}
		}
	}
	return nil
}

func (v *v1) setPids(r *specs.LinuxResources) error {
	if r.Pids == nil || r.Pids.Limit == nil || *r.Pids.Limit == 0 {
		return nil
	}
	d, err := v.dir("pids")
	if err != nil {
		return err
	}
	return writeFile(d, "pids.max", maxString(*r.Pids.Limit))
}

func (v *v1) setBlkio(r *specs.LinuxResources) error {
	b := r.BlockIO
	if b == nil {
		return nil
	}
	d, err := v.dir("blkio")
	if err != nil {
		return err
	}
	// blkio.weight was CFQ's (removed in kernel 5.0); with BFQ the file
	// is blkio.bfq.weight. Either takes "N", and per device "MAJ:MIN N".
	// blkio.leaf_weight was CFQ's too, with no BFQ equivalent (check
	// refuses it when the file is missing).
	weight := "blkio.weight"
	if !exists(d, weight) {
		weight = "blkio.bfq.weight"
	}
	if b.Weight != nil {
		if err := writeFile(d, weight, strconv.Itoa(int(*b.Weight))); err != nil {
			return err
		}
	}
	if b.LeafWeight != nil {
		if err := writeFile(d, "blkio.leaf_weight", strconv.Itoa(int(*b.LeafWeight))); err != nil {
			return err
		}
	}
	for _, w := range b.WeightDevice {
		if w.Weight != nil {
			if err := writeFile(d, weight+"_device", fmt.Sprintf("%d:%d %d", w.Major, w.Minor, *w.Weight)); err != nil {
				return err
			}
		}
		if w.LeafWeight != nil {
			if err := writeFile(d, "blkio.leaf_weight_device", fmt.Sprintf("%d:%d %d", w.Major, w.Minor, *w.LeafWeight)); err != nil {
				return err
			}
		}
	}
	for _, t := range throttleFiles(b) {
		for _, dev := range t.list {
			if err := writeFile(d, t.file, fmt.Sprintf("%d:%d %d", dev.Major, dev.Minor, dev.Rate)); err != nil {
				return err
			}
		}
	}
	return nil
}

// hugetlbDir returns the directory whose hugetlb files limit the cgroup,
// and whether it is in the cgroup2 hierarchy. A v1 hugetlb hierarchy is
// used when mounted. On a hybrid host the kernel may have the controller
// bound to the cgroup2 hierarchy instead (it cannot be in both): then the
// cgroup's directory there, as long as the cgroup2 root offers hugetlb
// (its cgroup.controllers).
func (v *v1) hugetlbDir() (string, bool, error) {
	if d, ok := v.dirs["hugetlb"]; ok {
		return d, false, nil
	}
	d, ok := v.dirs[unifiedKey]
	if !ok {
		return "", false, fmt.Errorf("unable to set hugepageLimits: no v1 hugetlb hierarchy and no cgroup2 hierarchy is mounted: %w", ErrNoController)
	}
	root := v.roots[unifiedKey]
	have, err := readFile(root, "cgroup.controllers")
	if err != nil {
		return "", false, err
	}
	if !slices.Contains(strings.Fields(have), "hugetlb") {
		return "", false, fmt.Errorf("unable to set hugepageLimits: no v1 hugetlb hierarchy is mounted and %s lists only [%s]: %w", filepath.Join(root, "cgroup.controllers"), have, ErrNoController)
	}
	return d, true, nil
}

// setHugetlb writes each limit to hugetlb.SIZE.limit_in_bytes (v1) or
// hugetlb.SIZE.max (cgroup2), and to the reservation limit beside it
// (rsvd.limit_in_bytes, rsvd.max) where the kernel has one: the spec
// asks for reservation accounting when it is supported, and both keep a
// process from faulting in more than the limit. In the cgroup2
// hierarchy the controller is first enabled in cgroup.subtree_control of
// each ancestor that lacks it.
func (v *v1) setHugetlb(r *specs.LinuxResources) error {
	if len(r.HugepageLimits) == 0 {
		return nil
	}
	d, unified, err := v.hugetlbDir()
	if err != nil {
		return err
	}
	limit, rsvd := ".limit_in_bytes", ".rsvd.limit_in_bytes"
	if unified {
		limit, rsvd = ".max", ".rsvd.max"
		if err := enableDown(v.roots[unifiedKey], d, "hugetlb"); err != nil {
			return err
		}
	}
	return writeHugetlb(d, r.HugepageLimits, limit, rsvd)
}

// writeHugetlb writes the limits into dir, with the file suffixes of the
// hierarchy.
func writeHugetlb(dir string, limits []specs.LinuxHugepageLimit, limit, rsvd string) error {
	for _, h := range limits {
		val := strconv.FormatUint(h.Limit, 10)
		if err := writeFile(dir, "hugetlb."+h.Pagesize+limit, val); err != nil {
			return err
		}
		if exists(dir, "hugetlb."+h.Pagesize+rsvd) {
			if err := writeFile(dir, "hugetlb."+h.Pagesize+rsvd, val); err != nil {
				return err
			}
		}
	}
	return nil
}

// enableDown enables controller in cgroup.subtree_control of every
// directory from root down to dir's parent where it is not yet enabled.
func enableDown(root, dir, controller string) error {
	rel, err := filepath.Rel(root, filepath.Dir(dir))
	if err != nil {
		return err
	}
	d := root
	for _, elem := range append([]string{""}, strings.Split(rel, string(filepath.Separator))...) {
		if elem != "" && elem != "." {
			d = filepath.Join(d, elem)
		}
		on, err := readFile(d, "cgroup.subtree_control")
		if err != nil {
			return err
		}
		if slices.Contains(strings.Fields(on), controller) {
			continue
		}
		if err := writeFile(d, "cgroup.subtree_control", "+"+controller); err != nil {
			return fmt.Errorf("unable to enable the %s controller below %s: %w", controller, d, err)
		}
	}
	return nil
}

// setNetwork writes net_cls.classid and one net_prio.ifpriomap line per
// interface.
func (v *v1) setNetwork(r *specs.LinuxResources) error {
	n := r.Network
	if n == nil {
		return nil
	}
	if n.ClassID != nil {
		d, err := v.dir("net_cls")
		if err != nil {
			return err
		}
		if err := writeFile(d, "net_cls.classid", strconv.FormatUint(uint64(*n.ClassID), 10)); err != nil {
			return err
		}
	}
	if len(n.Priorities) > 0 {
		d, err := v.dir("net_prio")
		if err != nil {
			return err
		}
		for _, p := range n.Priorities {
			if err := writeFile(d, "net_prio.ifpriomap", fmt.Sprintf("%s %d", p.Name, p.Priority)); err != nil {
				return err
			}
		}
	}
	return nil
}

// setDevices writes the rules in order, each to devices.allow or
// devices.deny. The usual list starts with a deny of everything ("a") and
// then allows the few devices a container needs; since the kernel applies
// each write at once, the order is the spec's order.
func (v *v1) setDevices(r *specs.LinuxResources) error {
	if len(r.Devices) == 0 {
		return nil
	}
	d, err := v.dir("devices")
	if err != nil {
		return err
	}
	for _, dev := range r.Devices {
		rule, _ := deviceRule(dev) // validated
		file := "devices.deny"
		if dev.Allow {
			file = "devices.allow"
		}
		if err := writeFile(d, file, rule); err != nil {
			return err
		}
	}
	return nil
}

// A throttle is one of blockIO's throttle lists and the v1 file it goes to.
type throttle struct {
	file string
	list []specs.LinuxThrottleDevice
}

func throttleFiles(b *specs.LinuxBlockIO) []throttle {
	return []throttle{
		{"blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice},
		{"blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice},
		{"blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice},
		{"blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice},
	}
}
