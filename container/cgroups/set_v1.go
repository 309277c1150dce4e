package cgroups

import (
	"fmt"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Set on v1 writes each controller's files in its own hierarchy. A zero
// limit, like a nil one, leaves the file as it is (runc does the same).
func (v *v1) Set(r *specs.LinuxResources) error {
	if err := validateResources(r); err != nil {
		return fmt.Errorf("unable to set the resources of cgroup %s: %w", v.path, err)
	}
	for _, step := range []func(*specs.LinuxResources) error{v.setMemory, v.setCPU, v.setPids, v.setBlkio, v.setDevices} {
		if err := step(r); err != nil {
			return fmt.Errorf("unable to set the resources of cgroup %s: %w", v.path, err)
		}
	}
	if len(r.Unified) > 0 {
		return fmt.Errorf("unable to set the resources of cgroup %s: linux.resources.unified applies to cgroup v2 only", v.path)
	}
	return nil
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
	if swap != 0 && !exists(d, "memory.memsw.limit_in_bytes") {
		return fmt.Errorf("unable to set memory.swap: %s has no memory.memsw.limit_in_bytes (swap accounting is off): %w", d, ErrNoController)
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
	weight := "blkio.weight"
	if !exists(d, weight) {
		weight = "blkio.bfq.weight"
	}
	if (b.Weight != nil || len(b.WeightDevice) > 0) && !exists(d, weight) {
		return fmt.Errorf("unable to set blockIO.weight: %s has neither blkio.weight nor blkio.bfq.weight (no CFQ or BFQ scheduler): %w", d, ErrNoController)
	}
	if b.Weight != nil {
		if err := writeFile(d, weight, strconv.Itoa(int(*b.Weight))); err != nil {
			return err
		}
	}
	for _, w := range b.WeightDevice {
		if w.Weight != nil {
			if err := writeFile(d, weight+"_device", fmt.Sprintf("%d:%d %d", w.Major, w.Minor, *w.Weight)); err != nil {
				return err
			}
		}
	}
	for _, t := range []struct {
		file string
		list []specs.LinuxThrottleDevice
	}{
		{"blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice},
		{"blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice},
		{"blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice},
		{"blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice},
	} {
		for _, dev := range t.list {
			if err := writeFile(d, t.file, fmt.Sprintf("%d:%d %d", dev.Major, dev.Minor, dev.Rate)); err != nil {
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
