package container

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// cgroupManager is the part of a cgroup manager the runtime uses. The
// contract is that of container/cgroups.Manager: Apply creates the
// directories and moves pid in; Pids lists the processes (cgroup.procs);
// Paths names the directory in each hierarchy; Destroy removes them and
// fails while a process remains.
type cgroupManager interface {
	Apply(pid int) error
	Pids() ([]int, error)
	Paths() map[string]string
	Destroy() error
}

// newCgroup is the one place where the cgroup implementation is plugged in.
var newCgroup = newDirCgroup

// cgroupPathFor returns the cgroup path for a container: the spec's
// linux.cgroupsPath, or /deferio/ID.
func cgroupPathFor(cfg Config, id string) string {
	if cfg.Spec.Linux != nil && cfg.Spec.Linux.CgroupsPath != "" {
		return cfg.Spec.Linux.CgroupsPath
	}
	return "/deferio/" + id
}

// dirCgroup is a minimal manager: one directory per mounted hierarchy
// (cpuset excepted, which needs cpus and mems first), joined through
// cgroup.procs.
type dirCgroup struct{ paths map[string]string }

func newDirCgroup(path string) (cgroupManager, error) {
	clean := filepath.Clean("/" + path)
	if clean != path && clean != "/"+path || strings.Contains(path, "..") {
		return nil, fmt.Errorf("unable to use cgroup path %q: it must be clean and absolute", path)
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("unable to find the cgroup hierarchies: %w", err)
	}
	defer f.Close()
	paths := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, x := range fields {
			if x == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+3 >= len(fields) {
			continue
		}
		fstype, mnt, opts := fields[sep+1], fields[4], fields[sep+3]
		switch fstype {
		case "cgroup2":
			paths["unified"] = filepath.Join(mnt, clean)
		case "cgroup":
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "rw", "ro", "cpuset":
				default:
					paths[strings.TrimPrefix(o, "name=")] = filepath.Join(mnt, clean)
				}
			}
		}
	}
	return &dirCgroup{paths: paths}, sc.Err()
}

func (d *dirCgroup) Apply(pid int) error {
	for name, p := range d.paths {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return fmt.Errorf("unable to create cgroup %s: %w", p, err)
		}
		if err := os.WriteFile(filepath.Join(p, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
			return fmt.Errorf("unable to move %d into the %s cgroup %s: %w", pid, name, p, err)
		}
	}
	return nil
}

func (d *dirCgroup) Pids() ([]int, error) {
	seen := map[int]bool{}
	for _, p := range d.paths {
		b, err := os.ReadFile(filepath.Join(p, "cgroup.procs"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("unable to list the processes of %s: %w", p, err)
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				seen[n] = true
			}
		}
	}
	var pids []int
	for p := range seen {
		pids = append(pids, p)
	}
	sort.Ints(pids)
	return pids, nil
}

func (d *dirCgroup) Paths() map[string]string {
	m := make(map[string]string, len(d.paths))
	for k, v := range d.paths {
		m[k] = v
	}
	return m
}

func (d *dirCgroup) Destroy() error {
	var errs []error
	for _, p := range d.paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("unable to remove cgroup %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}
