package cgroups

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// v1 manages one cgroup across the v1 hierarchies: a directory per
// mounted controller and per named hierarchy (name=systemd), plus the
// cgroup2 hierarchy on a hybrid host, as runc's fs driver does.
type v1 struct {
	path  string
	dirs  map[string]string // hierarchy key -> the cgroup's directory
	roots map[string]string // hierarchy key -> the hierarchy's mount point
}

// unifiedKey names the cgroup2 hierarchy in Paths.
const unifiedKey = "unified"

var _ Manager = (*v1)(nil)

func newV1(p string, m Mounts) *v1 {
	v := &v1{path: p, dirs: map[string]string{}, roots: map[string]string{}}
	for c, mp := range m.V1 {
		v.dirs[c], v.roots[c] = filepath.Join(mp, p), mp
	}
	for name, mp := range m.Named {
		v.dirs[name], v.roots[name] = filepath.Join(mp, p), mp
	}
	if m.V2 != "" {
		v.dirs[unifiedKey], v.roots[unifiedKey] = filepath.Join(m.V2, p), m.V2
	}
	return v
}

func (v *v1) Paths() map[string]string { return maps.Clone(v.dirs) }

// hierarchies returns the keys of distinct directories, sorted, so that
// co-mounted controllers (cpu,cpuacct) are visited once.
func (v *v1) hierarchies() []string {
	seen := map[string]bool{}
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(v.dirs)) {
		if !seen[v.dirs[k]] {
			seen[v.dirs[k]] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// dir returns the directory of a controller, or an error wrapping
// ErrNoController when it is not mounted.
func (v *v1) dir(controller string) (string, error) {
	d, ok := v.dirs[controller]
	if !ok {
		return "", fmt.Errorf("cgroup v1 %s controller is not mounted: %w", controller, ErrNoController)
	}
	return d, nil
}

func (v *v1) Apply(pid int) (err error) {
	if pid <= 0 {
		return fmt.Errorf("unable to apply cgroup %s: invalid pid %d", v.path, pid)
	}
	origin, err := procCgroups(pid)
	if err != nil {
		return fmt.Errorf("unable to apply cgroup %s: %w", v.path, err)
	}
	var created []string
	var joined []string
	defer func() {
		if err == nil {
			return
		}
		// Undo: put the process back where it was, then remove what
		// this call created.
		for _, k := range joined {
			key := k
			if k == unifiedKey {
				key = ""
			}
			if o, ok := origin[key]; ok {
				_ = writeFile(filepath.Join(v.roots[k], o), "cgroup.procs", strconv.Itoa(pid))
			}
		}
		removeDirs(created)
	}()
	for _, k := range v.hierarchies() {
		dir := v.dirs[k]
		made, err := mkdirCgroup(v.roots[k], dir)
		if err != nil {
			return fmt.Errorf("unable to apply cgroup %s: %w", v.path, err)
		}
		created = append(created, made...)
		if k == "cpuset" {
			// Every level, not only the new ones: a cpuset made by
			// someone else may be empty too.
			for d := v.roots[k]; d != dir; {
				rel, _ := filepath.Rel(d, dir)
				d = filepath.Join(d, strings.Split(rel, string(filepath.Separator))[0])
				if err := inheritCpuset(d); err != nil {
					return fmt.Errorf("unable to apply cgroup %s: %w", v.path, err)
				}
			}
		}
		if err := writeFile(dir, "cgroup.procs", strconv.Itoa(pid)); err != nil {
			return fmt.Errorf("unable to move process %d into cgroup %s: %w", pid, v.path, err)
		}
		joined = append(joined, k)
	}
	return nil
}

// inheritCpuset copies cpuset.cpus and cpuset.mems from the parent of a
// new cpuset cgroup: a v1 cpuset starts empty (unless the parent sets
// cgroup.clone_children) and refuses tasks until both are set.
func inheritCpuset(dir string) error {
	parent := filepath.Dir(dir)
	for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
		cur, err := readFile(dir, f)
		if err != nil {
			return err
		}
		if cur != "" {
			continue
		}
		val, err := readFile(parent, f)
		if err != nil {
			return err
		}
		if err := writeFile(dir, f, val); err != nil {
			return err
		}
	}
	return nil
}

// pidsDir is the hierarchy Pids reads: any would do, since the process is
// in all of them; pids and freezer are the usual choice.
func (v *v1) pidsDir() string {
	for _, k := range []string{"pids", "freezer", "memory", "cpu"} {
		if d, ok := v.dirs[k]; ok {
			return d
		}
	}
	return v.dirs[v.hierarchies()[0]]
}

func (v *v1) Pids() ([]int, error) { return treePids(v.pidsDir()) }

func (v *v1) Destroy() error {
	// Refuse before removing anything, so a failed Destroy leaves the
	// cgroup whole in every hierarchy.
	for _, k := range v.hierarchies() {
		pids, err := treePids(v.dirs[k])
		if err != nil {
			return fmt.Errorf("unable to destroy cgroup %s: %w", v.path, err)
		}
		if len(pids) > 0 {
			return fmt.Errorf("unable to destroy cgroup %s: processes %v are still in it (%s)", v.path, pids, v.dirs[k])
		}
	}
	var errs []error
	for _, k := range v.hierarchies() {
		if err := removeTree(v.dirs[k]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("unable to destroy cgroup %s: %w", v.path, err)
	}
	return nil
}

func (v *v1) Freeze() error {
	d, err := v.dir("freezer")
	if err != nil {
		return fmt.Errorf("unable to freeze cgroup %s: %w", v.path, err)
	}
	return freezeV1(d)
}

func (v *v1) Thaw() error {
	d, err := v.dir("freezer")
	if err != nil {
		return fmt.Errorf("unable to thaw cgroup %s: %w", v.path, err)
	}
	return thawV1(d)
}

func (v *v1) FreezerState() (FreezerState, error) {
	d, err := v.dir("freezer")
	if err != nil {
		return "", fmt.Errorf("unable to read the freezer state of cgroup %s: %w", v.path, err)
	}
	s, err := readFile(d, "freezer.state")
	if err != nil {
		return "", err
	}
	return FreezerState(s), nil
}

func (v *v1) NotifyOOM(ctx context.Context) (<-chan OOMEvent, error) {
	d, err := v.dir("memory")
	if err != nil {
		return nil, fmt.Errorf("unable to watch cgroup %s for OOM kills: %w", v.path, err)
	}
	return notifyOOMV1(ctx, d)
}
