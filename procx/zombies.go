package procx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Zombies returns, sorted, the processes that have exited but were not
// waited for (state Z in /proc/PID/stat) and whose parent is one of
// parents: the children those parents failed to reap. Each stays in the
// process table, holding its pid, until its parent waits for it or
// exits; then it is re-parented to the nearest subreaper or to the PID 1
// of its namespace, which must reap it (see [Reaper]).
//
// A zombie has left its cgroup already (cgroup.procs no longer lists
// it), so zombies are found by their parent, not by cgroup.
func Zombies(parents []int) ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("unable to list processes: %w", err)
	}
	var zs []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		state, ppid, err := procState(pid)
		if errors.Is(err, fs.ErrNotExist) {
			continue // gone since the listing
		}
		if err != nil {
			return nil, err
		}
		if state == 'Z' && slices.Contains(parents, ppid) {
			zs = append(zs, pid)
		}
	}
	return zs, nil
}

// procState reads the state letter and the parent pid of
// /proc/PID/stat. The command name, in parentheses, may hold spaces and
// parentheses itself: the fields start after the last ')'.
func procState(pid int) (state byte, ppid int, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 || len(f[0]) != 1 {
		return 0, 0, fmt.Errorf("unable to parse /proc/%d/stat: %q", pid, s)
	}
	if ppid, err = strconv.Atoi(f[1]); err != nil {
		return 0, 0, fmt.Errorf("unable to parse the parent in /proc/%d/stat: %w", pid, err)
	}
	return f[0][0], ppid, nil
}
