package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Mounts says where the host mounted its cgroup hierarchies.
type Mounts struct {
	// V1 maps each mounted v1 controller ("memory", "cpu" ...) to the
	// mount point of its hierarchy. Co-mounted controllers such as
	// "cpu,cpuacct" map to the same directory. Named hierarchies
	// ("name=systemd") are in Named instead: they have no controller.
	V1 map[string]string
	// Named maps each named v1 hierarchy, as "name=systemd", to its mount
	// point. Such hierarchies only group processes (systemd uses one to
	// track services on a v1 host).
	Named map[string]string
	// V2 is the mount point of the cgroup2 hierarchy, or "".
	V2 string
}

// v1Controllers are the controllers cgroup v1 knows (kernel's
// include/linux/cgroup_subsys.h, those with a v1 interface).
var v1Controllers = []string{
	"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "hugetlb",
	"memory", "misc", "net_cls", "net_prio", "perf_event", "pids", "rdma",
}

// ReadMounts parses /proc/self/mountinfo.
func ReadMounts() (Mounts, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return Mounts{}, fmt.Errorf("unable to read the mount table: %w", err)
	}
	defer f.Close()
	return ParseMountinfo(f)
}

// ParseMountinfo reads a mount table in the format of /proc/PID/mountinfo
// (proc(5)) and returns its cgroup hierarchies. When a hierarchy is
// mounted more than once, the first mount of its root ("/") wins, or else
// the first mount. A line that does not have the format's fields is an
// error naming the line.
func ParseMountinfo(r io.Reader) (Mounts, error) {
	m := Mounts{V1: map[string]string{}, Named: map[string]string{}}
	v1Root := map[string]bool{} // controller -> chosen mount is of "/"
	v2Root := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		e, err := parseMountLine(line)
		if err != nil {
			return Mounts{}, fmt.Errorf("unable to parse mountinfo line %d: %w", n, err)
		}
		isRoot := e.root == "/"
		switch e.fstype {
		case "cgroup2":
			if m.V2 == "" || (isRoot && !v2Root) {
				m.V2, v2Root = e.mountpoint, isRoot
			}
		case "cgroup":
			for _, opt := range strings.Split(e.superOpts, ",") {
				if strings.HasPrefix(opt, "name=") && len(opt) > len("name=") {
					if _, seen := m.Named[opt]; !seen || isRoot {
						m.Named[opt] = e.mountpoint
					}
					continue
				}
				if !slices.Contains(v1Controllers, opt) {
					continue
				}
				if _, seen := m.V1[opt]; !seen || (isRoot && !v1Root[opt]) {
					m.V1[opt], v1Root[opt] = e.mountpoint, isRoot
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Mounts{}, fmt.Errorf("unable to read mountinfo: %w", err)
	}
	return m, nil
}

type mountEntry struct {
	root, mountpoint, fstype, superOpts string
}

// parseMountLine splits "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3
// /dev/root rw,errors=continue" (proc(5)).
func parseMountLine(line string) (mountEntry, error) {
	fields := strings.Fields(line)
	sep := slices.Index(fields, "-")
	if sep < 6 || len(fields) < sep+4 {
		return mountEntry{}, fmt.Errorf("want \"ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS\", got %q", line)
	}
	if _, err := strconv.ParseUint(fields[0], 10, 64); err != nil {
		return mountEntry{}, fmt.Errorf("mount ID %q is not a number", fields[0])
	}
	root, err := unescapeMount(fields[3])
	if err != nil {
		return mountEntry{}, err
	}
	mp, err := unescapeMount(fields[4])
	if err != nil {
		return mountEntry{}, err
	}
	return mountEntry{root: root, mountpoint: mp, fstype: fields[sep+1], superOpts: fields[sep+3]}, nil
}

// unescapeMount undoes the kernel's octal escapes (\040 for a space,
// \011 tab, \012 newline, \134 backslash) in mountinfo paths.
func unescapeMount(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) {
			return "", fmt.Errorf("bad escape at the end of %q", s)
		}
		v, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
		if err != nil {
			return "", errors.New("bad octal escape in " + strconv.Quote(s))
		}
		b.WriteByte(byte(v))
		i += 3
	}
	return b.String(), nil
}
