package cgroups

import (
	"errors"
	"fmt"
	"regexp"
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
		for _, w := range b.WeightDevice {
			if w.Weight != nil && (*w.Weight < 10 || *w.Weight > 1000) {
				bad("invalid blockIO.weightDevice %d:%d weight %d: want 10 to 1000", w.Major, w.Minor, *w.Weight)
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
