package cgroups

import (
	"fmt"
	"strconv"
	"strings"
)

// Stats are a cgroup's counters at one moment. Byte counts are bytes,
// times are nanoseconds, and a limit of 0 means "no limit".
type Stats struct {
	CPU    CPUStats
	Memory MemoryStats
	Pids   PidsStats
	Blkio  BlkioStats
}

// CPUStats is CPU time used and CFS bandwidth throttling.
type CPUStats struct {
	// UsageTotal, UsageUser and UsageSystem are CPU time in ns (v1
	// cpuacct.usage*, v2 cpu.stat usage_usec, user_usec, system_usec).
	UsageTotal, UsageUser, UsageSystem uint64
	// Periods is the number of CFS periods with runnable tasks,
	// ThrottledPeriods those in which the quota ran out, ThrottledTime
	// the total time throttled in ns (cpu.stat).
	Periods, ThrottledPeriods, ThrottledTime uint64
}

// MemoryStats is memory use. On v1 Usage includes the page cache.
type MemoryStats struct {
	// Usage and MaxUsage are the current and peak charge in bytes
	// (v1 memory.usage_in_bytes, max_usage_in_bytes; v2 memory.current,
	// memory.peak).
	Usage, MaxUsage uint64
	// Limit is memory.limit_in_bytes (v1) or memory.max (v2); 0 when
	// unlimited.
	Limit uint64
	// Cache is the page cache charged to the cgroup (v1 memory.stat
	// "cache", v2 "file").
	Cache uint64
	// Failcnt counts charges refused at the limit (v1: the larger of
	// memory.failcnt and memory.memsw.failcnt; v2: memory.events "max").
	Failcnt uint64
	// OOMKills counts processes the OOM killer killed in the cgroup
	// (v1 memory.oom_control, v2 memory.events "oom_kill").
	OOMKills uint64
}

// PidsStats is the number of tasks (threads included) and their limit.
type PidsStats struct {
	Current, Limit uint64
}

// BlkioStats is block I/O charged to the cgroup.
type BlkioStats struct {
	// IOServiceBytes has one entry per device and operation (Read,
	// Write, Sync, Async, Discard, Total on v1; Read, Write on v2).
	IOServiceBytes []BlkioEntry
}

// A BlkioEntry is one device's counter for one operation.
type BlkioEntry struct {
	Major, Minor uint64
	Op           string
	Value        uint64
}

// noLimit reports v1's "no limit" values: the largest page-aligned int64.
func noLimit(v uint64) bool { return v >= 1<<62 }

// statsV1 reads the v1 counters of the hierarchies present.
func (v *v1) Stats() (*Stats, error) {
	var s Stats
	wrap := func(err error) error { return fmt.Errorf("unable to read the stats of cgroup %s: %w", v.path, err) }
	if d, ok := v.dirs["cpuacct"]; ok {
		var err error
		if s.CPU.UsageTotal, err = readUint(d, "cpuacct.usage"); err != nil {
			return nil, wrap(err)
		}
		if exists(d, "cpuacct.usage_user") {
			if s.CPU.UsageUser, err = readUint(d, "cpuacct.usage_user"); err != nil {
				return nil, wrap(err)
			}
			if s.CPU.UsageSystem, err = readUint(d, "cpuacct.usage_sys"); err != nil {
				return nil, wrap(err)
			}
		}
	}
	if d, ok := v.dirs["cpu"]; ok {
		kv, err := readKeyValues(d, "cpu.stat")
		if err != nil {
			return nil, wrap(err)
		}
		s.CPU.Periods, s.CPU.ThrottledPeriods, s.CPU.ThrottledTime = kv["nr_periods"], kv["nr_throttled"], kv["throttled_time"]
	}
	if d, ok := v.dirs["memory"]; ok {
		m := &s.Memory
		for _, f := range []struct {
			name string
			dst  *uint64
		}{
			{"memory.usage_in_bytes", &m.Usage},
			{"memory.max_usage_in_bytes", &m.MaxUsage},
			{"memory.limit_in_bytes", &m.Limit},
			{"memory.failcnt", &m.Failcnt},
		} {
			val, err := readUint(d, f.name)
			if err != nil {
				return nil, wrap(err)
			}
			*f.dst = val
		}
		// With memory+swap limited too, whichever limit is lower is hit
		// first and counted in its own failcnt: report the larger.
		if exists(d, "memory.memsw.failcnt") {
			sw, err := readUint(d, "memory.memsw.failcnt")
			if err != nil {
				return nil, wrap(err)
			}
			m.Failcnt = max(m.Failcnt, sw)
		}
		if noLimit(m.Limit) {
			m.Limit = 0
		}
		kv, err := readKeyValues(d, "memory.stat")
		if err != nil {
			return nil, wrap(err)
		}
		m.Cache = kv["cache"]
		oc, err := readKeyValues(d, "memory.oom_control")
		if err != nil {
			return nil, wrap(err)
		}
		m.OOMKills = oc["oom_kill"]
	}
	if d, ok := v.dirs["pids"]; ok {
		var err error
		if s.Pids.Current, err = readUint(d, "pids.current"); err != nil {
			return nil, wrap(err)
		}
		if s.Pids.Limit, err = readUint(d, "pids.max"); err != nil {
			return nil, wrap(err)
		}
	}
	if d, ok := v.dirs["blkio"]; ok {
		// CFQ's blkio.io_service_bytes_recursive is gone with CFQ (kernel
		// 5.0); the throttle layer counts every bio of the cgroup.
		name := "blkio.io_service_bytes_recursive"
		if !exists(d, name) {
			name = "blkio.throttle.io_service_bytes_recursive"
		}
		txt, err := readFile(d, name)
		if err != nil {
			return nil, wrap(err)
		}
		if s.Blkio.IOServiceBytes, err = parseBlkioV1(txt); err != nil {
			return nil, wrap(fmt.Errorf("%s: %w", name, err))
		}
	}
	return &s, nil
}

// parseBlkioV1 reads lines "MAJ:MIN Op value", skipping the "Total value"
// summary line.
func parseBlkioV1(txt string) ([]BlkioEntry, error) {
	var out []BlkioEntry
	for _, l := range strings.Split(txt, "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		maj, min, err := parseDevice(f[0])
		if err != nil {
			return nil, err
		}
		val, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %q: %q is not a number", l, f[2])
		}
		out = append(out, BlkioEntry{Major: maj, Minor: min, Op: f[1], Value: val})
	}
	return out, nil
}

// parseBlkioV2 reads io.stat lines "MAJ:MIN rbytes=N wbytes=N rios=N ...".
func parseBlkioV2(txt string) ([]BlkioEntry, error) {
	var out []BlkioEntry
	for _, l := range strings.Split(txt, "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		maj, min, err := parseDevice(f[0])
		if err != nil {
			return nil, err
		}
		for _, kv := range f[1:] {
			k, val, ok := strings.Cut(kv, "=")
			op := map[string]string{"rbytes": "Read", "wbytes": "Write"}[k]
			if !ok || op == "" {
				continue
			}
			n, err := strconv.ParseUint(val, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("line %q: %q is not a number", l, val)
			}
			out = append(out, BlkioEntry{Major: maj, Minor: min, Op: op, Value: n})
		}
	}
	return out, nil
}

func parseDevice(s string) (maj, min uint64, err error) {
	a, b, ok := strings.Cut(s, ":")
	if ok {
		if maj, err = strconv.ParseUint(a, 10, 32); err == nil {
			min, err = strconv.ParseUint(b, 10, 32)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("%q is not a MAJOR:MINOR device", s)
	}
	return maj, min, nil
}
