package cgroups

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Validation of linux.resources, done before any file is written so that
// bad input changes nothing. -1 means "no limit" for memory, swap, the
// CPU quota and pids, as in the OCI runtime spec and runc.

// cpuList matches the kernel's list format for cpuset.cpus and
// cpuset.mems: "0-3,8,10-11".
var cpuList = regexp.MustCompile(`^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$`)

// validateResources reports every problem in r, or nil.
func validateResources(r *specs.LinuxResources) error {
	if r == nil {
		return errors.New("invalid resources: nil")
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	limit := func(name string, p *int64) {
		if p != nil && *p < -1 {
			bad("invalid %s %d: want bytes >= 0, or -1 for no limit", name, *p)
		}
	}
	if m := r.Memory; m != nil {
		limit("memory.limit", m.Limit)
		limit("memory.swap", m.Swap)
		limit("memory.reservation", m.Reservation)
		if m.Limit != nil && m.Swap != nil && *m.Swap != -1 && (*m.Limit == -1 || *m.Swap < *m.Limit) {
			bad("invalid memory.swap %d: it is memory plus swap, so it must be -1 or at least memory.limit (%d)", *m.Swap, *m.Limit)
		}
		limit("memory.kernel", kernelLimit(m))
		limit("memory.kernelTCP", m.KernelTCP)
		if m.Swappiness != nil && *m.Swappiness > 100 {
			bad("invalid memory.swappiness %d: want 0 to 100", *m.Swappiness)
		}
	}
	if c := r.CPU; c != nil {
		if c.Shares != nil && (*c.Shares < 2 || *c.Shares > 262144) {
			bad("invalid cpu.shares %d: want 2 to 262144", *c.Shares)
		}
		if c.Quota != nil && *c.Quota != -1 && *c.Quota < 1000 {
			bad("invalid cpu.quota %d: want at least 1000 (microseconds), or -1 for no limit", *c.Quota)
		}
		if c.Period != nil && (*c.Period < 1000 || *c.Period > 1000000) {
			bad("invalid cpu.period %d: want 1000 to 1000000 (microseconds)", *c.Period)
		}
		if c.Cpus != "" && !cpuList.MatchString(c.Cpus) {
			bad("invalid cpu.cpus %q: want a list such as \"0-3,6\"", c.Cpus)
		}
		if c.Mems != "" && !cpuList.MatchString(c.Mems) {
			bad("invalid cpu.mems %q: want a list such as \"0\" or \"0-1\"", c.Mems)
		}
		if c.Idle != nil && *c.Idle != 0 && *c.Idle != 1 {
			bad("invalid cpu.idle %d: want 0 or 1", *c.Idle)
		}
		if c.RealtimeRuntime != nil && *c.RealtimeRuntime < -1 {
			bad("invalid cpu.realtimeRuntime %d: want >= 0, or -1", *c.RealtimeRuntime)
		}
	}
	if p := r.Pids; p != nil && p.Limit != nil && *p.Limit < -1 {
		bad("invalid pids.limit %d: want a number of tasks > 0, -1 for no limit (0 leaves it unchanged)", *p.Limit)
	}
	if b := r.BlockIO; b != nil {
		if b.Weight != nil && (*b.Weight < 10 || *b.Weight > 1000) {
			bad("invalid blockIO.weight %d: want 10 to 1000", *b.Weight)
		}
		if b.LeafWeight != nil && (*b.LeafWeight < 10 || *b.LeafWeight > 1000) {
			bad("invalid blockIO.leafWeight %d: want 10 to 1000", *b.LeafWeight)
		}
		for _, w := range b.WeightDevice {
			if w.Weight != nil && (*w.Weight < 10 || *w.Weight > 1000) {
				bad("invalid blockIO.weightDevice %d:%d weight %d: want 10 to 1000", w.Major, w.Minor, *w.Weight)
			}
			if w.LeafWeight != nil && (*w.LeafWeight < 10 || *w.LeafWeight > 1000) {
				bad("invalid blockIO.weightDevice %d:%d leafWeight %d: want 10 to 1000", w.Major, w.Minor, *w.LeafWeight)
			}
			if w.Weight == nil && w.LeafWeight == nil {
				bad("invalid blockIO.weightDevice %d:%d: it has neither weight nor leafWeight", w.Major, w.Minor)
			}
			if w.Major < 0 || w.Minor < 0 {
				bad("invalid blockIO.weightDevice %d:%d: negative device number", w.Major, w.Minor)
			}
		}
		for _, list := range [][]specs.LinuxThrottleDevice{b.ThrottleReadBpsDevice, b.ThrottleWriteBpsDevice, b.ThrottleReadIOPSDevice, b.ThrottleWriteIOPSDevice} {
			for _, t := range list {
				if t.Major < 0 || t.Minor < 0 {
					bad("invalid blockIO throttle device %d:%d: negative device number", t.Major, t.Minor)
				}
			}
		}
	}
	for i, h := range r.HugepageLimits {
		if !hugePageSize.MatchString(h.Pagesize) {
			bad("invalid hugepageLimits[%d].pageSize %q: want a size and a unit such as \"2MB\" or \"1GB\"", i, h.Pagesize)
		}
	}
	if n := r.Network; n != nil {
		for i, p := range n.Priorities {
			if p.Name == "" || len(p.Name) >= 16 || strings.ContainsAny(p.Name, " \t\n/:") {
				bad("invalid network.priorities[%d].name %q: want an interface name (1 to 15 characters, no space, \"/\" or \":\")", i, p.Name)
			}
		}
	}
	for i, d := range r.Devices {
		if _, err := deviceRule(d); err != nil {
			bad("invalid devices[%d]: %w", i, err)
		}
	}
	for k := range r.Unified {
		if k == "" || strings.ContainsAny(k, "/\x00") || k == "." || k == ".." || strings.HasPrefix(k, "cgroup.") {
			bad("invalid unified key %q: want a controller file name such as \"memory.high\" (no \"/\", not cgroup.*)", k)
		}
	}
	return errors.Join(errs...)
}

// hugePageSize matches the spec's pageSize format, "<size><unit-prefix>B"
// ("64KB", "2MB", "1GB"); whether the kernel has that size is checked
// against /sys/kernel/mm/hugepages by hugePageSizes.
var hugePageSize = regexp.MustCompile(`^[1-9][0-9]*[KMGTP]?B$`)

// hugePagesDir lists the kernel's huge page sizes, one directory each
// ("hugepages-2048kB").
const hugePagesDir = "/sys/kernel/mm/hugepages"

// hugePageSizes returns the huge page sizes of this kernel as the hugetlb
// controller names its files (hugetlb.2MB.limit_in_bytes): in GB, MB or
// KB, the largest unit that divides the size, as the kernel's mem_fmt.
func hugePageSizes() ([]string, error) {
	ents, err := os.ReadDir(hugePagesDir)
	if err != nil {
		return nil, fmt.Errorf("unable to list the huge page sizes: %w", err)
	}
	var sizes []string
	for _, e := range ents {
		kb, ok := strings.CutPrefix(e.Name(), "hugepages-")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(kb, "kB"), 10, 64)
		if err != nil || n == 0 {
			continue
		}
		sizes = append(sizes, formatPageSize(n))
	}
	return sizes, nil
}

// formatPageSize names a page size of kb KiB.
func formatPageSize(kb uint64) string {
	switch {
	case kb%(1<<20) == 0:
		return strconv.FormatUint(kb>>20, 10) + "GB"
	case kb%(1<<10) == 0:
		return strconv.FormatUint(kb>>10, 10) + "MB"
	}
	return strconv.FormatUint(kb, 10) + "KB"
}

// checkHugePages reports every hugepageLimits entry whose page size this
// kernel does not have.
func checkHugePages(limits []specs.LinuxHugepageLimit) error {
	if len(limits) == 0 {
		return nil
	}
	sizes, err := hugePageSizes()
	if err != nil {
		return err
	}
	var errs []error
	for i, h := range limits {
		if !slices.Contains(sizes, h.Pagesize) {
			errs = append(errs, fmt.Errorf("invalid hugepageLimits[%d].pageSize %q: this kernel has huge pages of %v (%s)", i, h.Pagesize, sizes, hugePagesDir))
		}
	}
	return errors.Join(errs...)
}

// checkBlockDevices reports every blockIO device (weights and throttles)
// that is not a block device here: the kernel would refuse its line with
// ENODEV only after the lines before it were written.
func checkBlockDevices(b *specs.LinuxBlockIO) error {
	if b == nil {
		return nil
	}
	var errs []error
	seen := map[[2]int64]bool{}
	check := func(what string, major, minor int64) {
		k := [2]int64{major, minor}
		if seen[k] {
			return
		}
		seen[k] = true
		p := fmt.Sprintf("/sys/dev/block/%d:%d", major, minor)
		if _, err := os.Stat(p); err != nil {
			errs = append(errs, fmt.Errorf("invalid blockIO.%s device %d:%d: no such block device here (%s: %w)", what, major, minor, p, err))
		}
	}
	for _, w := range b.WeightDevice {
		check("weightDevice", w.Major, w.Minor)
	}
	for _, t := range []struct {
		what string
		list []specs.LinuxThrottleDevice
	}{{"throttleReadBpsDevice", b.ThrottleReadBpsDevice}, {"throttleWriteBpsDevice", b.ThrottleWriteBpsDevice},
		{"throttleReadIOPSDevice", b.ThrottleReadIOPSDevice}, {"throttleWriteIOPSDevice", b.ThrottleWriteIOPSDevice}} {
		for _, d := range t.list {
			check(t.what, d.Major, d.Minor)
		}
	}
	return errors.Join(errs...)
}

// deviceRule formats a device rule the way v1's devices.allow and
// devices.deny read it: "TYPE MAJOR:MINOR ACCESS", "*" for a wildcard
// number, type "a" for all devices ("a" alone is the same as "a *:* rwm").
func deviceRule(d specs.LinuxDeviceCgroup) (string, error) {
	typ := d.Type
	if typ == "" {
		typ = "a"
	}
	if typ != "a" && typ != "b" && typ != "c" {
		return "", fmt.Errorf("device type %q: want \"a\", \"b\" or \"c\"", d.Type)
	}
	access := d.Access
	if access == "" {
		access = "rwm"
	}
	seen := map[rune]bool{}
	for _, c := range access {
		if !strings.ContainsRune("rwm", c) || seen[c] {
			return "", fmt.Errorf("device access %q: want letters from \"rwm\", each once", d.Access)
		}
		seen[c] = true
	}
	num := func(p *int64, what string) (string, error) {
		if p == nil || *p == -1 {
			return "*", nil
		}
		if *p < 0 {
			return "", fmt.Errorf("device %s %d: want >= 0, or none for all", what, *p)
		}
		return strconv.FormatInt(*p, 10), nil
	}
	maj, err := num(d.Major, "major")
	if err != nil {
		return "", err
	}
	min, err := num(d.Minor, "minor")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %s:%s %s", typ, maj, min, access), nil
}

// limitString formats an OCI limit for v1: -1 stays -1 ("no limit").
func limitString(v int64) string { return strconv.FormatInt(v, 10) }

// maxString formats an OCI limit for v2, where "no limit" is "max".
func maxString(v int64) string {
	if v == -1 {
		return "max"
	}
	return strconv.FormatInt(v, 10)
}
