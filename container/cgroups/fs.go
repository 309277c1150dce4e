package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Cgroup files are read and written whole, one value per write: the
// kernel parses each write(2) on its own, so a value must never be split.

// readFile returns the trimmed content of dir/name.
func readFile(dir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", fmt.Errorf("unable to read %s: %w", filepath.Join(dir, name), err)
	}
	return strings.TrimSpace(string(b)), nil
}

// writeFile writes value to dir/name in a single write(2), without
// creating the file: cgroup files exist or the controller is absent.
func writeFile(dir, name, value string) error {
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("unable to open %s to write %q: %w", p, value, err)
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("unable to write %q to %s: %w", value, p, err)
	}
	return nil
}

// exists reports whether dir/name exists.
func exists(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

// readUint reads a file holding one unsigned number. "max" reads as 0,
// the convention for "no limit" in [Stats].
func readUint(dir, name string) (uint64, error) {
	s, err := readFile(dir, name)
	if err != nil {
		return 0, err
	}
	return parseUint(s, filepath.Join(dir, name))
}

func parseUint(s, where string) (uint64, error) {
	if s == "max" {
		return 0, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		// A few v1 counters are signed and can dip below zero for a
		// moment (per-cpu batching); read those as 0.
		if iv, ierr := strconv.ParseInt(s, 10, 64); ierr == nil && iv < 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("unable to parse %s: %q is not a number", where, s)
	}
	return v, nil
}

// readKeyValues parses files of "key value" lines (memory.stat, cpu.stat,
// memory.events, memory.oom_control).
func readKeyValues(dir, name string) (map[string]uint64, error) {
	s, err := readFile(dir, name)
	if err != nil {
		return nil, err
	}
	return parseKeyValues(s, filepath.Join(dir, name))
}

func parseKeyValues(s, where string) (map[string]uint64, error) {
	kv := map[string]uint64{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			return nil, fmt.Errorf("unable to parse %s: line %q is not \"key value\"", where, sc.Text())
		}
		v, err := parseUint(f[1], where)
		if err != nil {
			return nil, err
		}
		kv[f[0]] = v
	}
	return kv, nil
}

// readPids reads a cgroup.procs file: one pid per line.
func readPids(dir string) ([]int, error) {
	s, err := readFile(dir, "cgroup.procs")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, l := range strings.Fields(s) {
		pid, err := strconv.Atoi(l)
		if err != nil {
			return nil, fmt.Errorf("unable to parse %s: %q is not a pid", filepath.Join(dir, "cgroup.procs"), l)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// treePids lists the pids of dir and every cgroup below it, sorted. A
// missing dir has no pids.
func treePids(dir string) ([]int, error) {
	var all []int
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		pids, err := readPids(p)
		if err != nil {
			return err
		}
		all = append(all, pids...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to list the processes of %s: %w", dir, err)
	}
	slices.Sort(all)
	return slices.Compact(all), nil
}

// mkdirCgroup creates dir and its missing parents below root and returns
// the directories it created, parents first.
func mkdirCgroup(root, dir string) ([]string, error) {
	rel, err := filepath.Rel(root, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("unable to create cgroup %s: not below %s", dir, root)
	}
	var created []string
	cur := root
	for _, elem := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, elem)
		err := os.Mkdir(cur, 0o755)
		if err == nil {
			created = append(created, cur)
			continue
		}
		if !errors.Is(err, fs.ErrExist) {
			removeDirs(created)
			return nil, fmt.Errorf("unable to create cgroup directory %s: %w", cur, err)
		}
	}
	return created, nil
}

// removeDirs removes cgroup directories, last first, ignoring errors: it
// undoes mkdirCgroup after a failure.
func removeDirs(dirs []string) {
	for i := len(dirs) - 1; i >= 0; i-- {
		_ = rmdirRetry(dirs[i])
	}
}

// rmdirRetry removes one cgroup directory. A cgroup whose last process has
// just exited can be busy for a moment while the kernel finishes with it,
// so EBUSY is retried a few times. A missing directory is not an error.
func rmdirRetry(dir string) error {
	var err error
	for i := 0; i < 50; i++ {
		err = syscall.Rmdir(dir)
		if err == nil || errors.Is(err, syscall.ENOENT) {
			return nil
		}
		if !errors.Is(err, syscall.EBUSY) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("unable to remove cgroup %s: %w", dir, err)
}

// removeTree removes dir and every cgroup below it, deepest first. It
// refuses, removing nothing, while any of them has a process.
func removeTree(dir string) error {
	pids, err := treePids(dir)
	if err != nil {
		return err
	}
	if len(pids) > 0 {
		return fmt.Errorf("unable to remove cgroup %s: processes %v are still in it", dir, pids)
	}
	var dirs []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("unable to list cgroup %s: %w", dir, err)
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := rmdirRetry(dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

// procCgroups reads /proc/PID/cgroup: hierarchy controllers ("memory",
// "cpu,cpuacct", "" for cgroup2) to the process's cgroup path.
func procCgroups(pid int) (map[string]string, error) {
	p := fmt.Sprintf("/proc/%d/cgroup", pid)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("unable to read the cgroups of process %d: %w", pid, err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[c] = parts[2]
		}
	}
	return out, nil
}
