package procx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/deferio/deferio/procx"
)

// The test binary doubles as the program some tests start: when
// PROCX_TEST_CHILD names a role, TestMain plays it and exits.
const childEnv = "PROCX_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(child(role))
	}
	os.Exit(m.Run())
}

// reaperReport is what a reaper child prints as JSON on stdout.
type reaperReport struct {
	Pid    int
	Main   procx.Status
	Reaped []procx.Status
	Err    string
}

func child(role string) int {
	if role == "zombie-parent" {
		return zombieParent()
	}
	var argv []string
	if err := json.Unmarshal([]byte(os.Getenv("PROCX_TEST_ARGV")), &argv); err != nil {
		fmt.Fprintln(os.Stderr, "bad PROCX_TEST_ARGV:", err)
		return 3
	}
	r := procx.Reaper{}
	switch role {
	case "reaper-pidns":
		// A container init's first steps: a private mount tree and a
		// /proc that shows this namespace's PIDs.
		if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
			fmt.Fprintln(os.Stderr, "unable to make / private:", err)
			return 3
		}
		if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
			fmt.Fprintln(os.Stderr, "unable to mount /proc:", err)
			return 3
		}
	case "reaper-sub":
		r.Subreaper = true
	case "reaper-sub-wait":
		r.Subreaper = true
		r.WaitOrphans = true
	default:
		fmt.Fprintln(os.Stderr, "unknown child role", role)
		return 3
	}
	rep := reaperReport{Pid: os.Getpid()}
	r.OnStart = func(pid int) { fmt.Printf("started %d\n", pid) }
	r.OnReap = func(s procx.Status) { rep.Reaped = append(rep.Reaped, s) }
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	attr := &os.ProcAttr{Files: []*os.File{devnull, os.Stderr, os.Stderr}}
	// A bound, so that a broken test cannot leave this running.
	limit := time.Minute
	if d, err := time.ParseDuration(os.Getenv("PROCX_TEST_TIMEOUT")); err == nil {
		limit = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	st, err := r.Run(ctx, argv, attr)
	rep.Main = st
	if err != nil {
		rep.Err = err.Error()
	}
	b, _ := json.Marshal(rep)
	fmt.Printf("%s\n", b)
	return 0
}

// zombieParent waits, without ever calling wait, until every child it
// inherited (from the shell that exec'ed it) is a zombie, then exits 7.
// Unlike a shell, the Go runtime never reaps children it did not start,
// so the zombies stay until this process exits and the kernel re-parents
// them to the reaper.
func zombieParent() int {
	me := os.Getpid()
	for range 6000 {
		kids := childStates(me)
		zombies := 0
		for _, st := range kids {
			if st == "Z" {
				zombies++
			}
		}
		if len(kids) > 0 && zombies == len(kids) {
			return 7
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "zombie-parent: children never became zombies")
	return 9
}

// childStates maps the PIDs of parent's children to their state letter.
func childStates(parent int) map[int]string {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	kids := map[int]string{}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parens.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid == parent {
			pid, _ := strconv.Atoi(filepath.Base(d))
			kids[pid] = f[0]
		}
	}
	return kids
}

// marker returns a unique NAME=VALUE environment entry. Every process
// started with it, and every descendant, carries it in /proc/PID/environ,
// which is how the tests find leftovers without trusting PIDs.
func marker(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("PROCX_TEST_MARK=%d-%d", os.Getpid(), rand.Uint64())
}

// withMarker returns the current environment plus mark.
func withMarker(mark string) []string { return append(os.Environ(), mark) }

// marked returns the PIDs of live processes whose environment holds mark.
// Zombies are skipped: their environ is empty.
func marked(t *testing.T, mark string) []int {
	t.Helper()
	return markedPIDs(mark)
}

// markedPIDs is marked without a test, for use off the test's goroutine.
func markedPIDs(mark string) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*") // the pattern is valid
	var pids []int
	for _, d := range dirs {
		env, err := os.ReadFile(filepath.Join(d, "environ"))
		if err != nil {
			continue // gone, or not ours to read
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if string(kv) == mark {
				pid, _ := strconv.Atoi(filepath.Base(d))
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// waitRunning polls until n live processes that carry mark run the
// program comm (as /proc/PID/comm names it). Tests call it before they
// cancel a command, so that a slow machine cannot end a shell before it
// has started the children the test is about. The bound is generous and
// not an assertion about speed; it only keeps a broken test from hanging.
func waitRunning(mark, comm string, n int) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var running []int
		for _, pid := range markedPIDs(mark) {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			if err == nil && strings.TrimSpace(string(b)) == comm {
				running = append(running, pid)
			}
		}
		if len(running) >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d processes run %s, want %d: the command never started them", len(running), comm, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// killMarked cleans up after a test that leaves processes on purpose.
func killMarked(t *testing.T, mark string) {
	for _, pid := range marked(t, mark) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// zombieChildren returns the PIDs of this process's children that are
// zombies: exited and never waited for.
func zombieChildren(t *testing.T) []int {
	t.Helper()
	var zs []int
	for pid, st := range childStates(os.Getpid()) {
		if st == "Z" {
			zs = append(zs, pid)
		}
	}
	return zs
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents) - 1 // minus the descriptor ReadDir itself had open
}
