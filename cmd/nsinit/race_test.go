package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deferio/deferio/container/bundle"
)

// outcome is how one nsinit invocation ended.
type outcome struct {
	code   int
	stderr string
}

// nsinitQuiet runs nsinit with stdin and stdout on /dev/null and stderr
// in a file (a detached container keeps them). Unlike nsinitRun it may be
// called from any goroutine.
func nsinitQuiet(bin, root string, args ...string) outcome {
	f, err := os.CreateTemp("", "nsinit-race-stderr-")
	if err != nil {
		return outcome{-1, err.Error()}
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd := exec.Command(bin, append([]string{"--root", root}, args...)...)
	cmd.Stderr = f // Stdin and Stdout nil: /dev/null
	err = cmd.Run()
	b, _ := os.ReadFile(f.Name())
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return outcome{ee.ExitCode(), string(b)}
	case err != nil:
		return outcome{-1, err.Error()}
	}
	return outcome{0, string(b)}
}

// raceRounds is how many times each race is run.
func raceRounds() int {
	if testing.Short() {
		return 20
	}
	return 100
}

// consistent checks a container that survived a race: state says
// created or running, with an init that lives, in the container's
// cgroup, and a whole state.json; then it deletes it.
func consistent(t *testing.T, root, id string, statuses ...string) {
	t.Helper()
	s := ociState(t, root, id)
	if !contains(statuses, string(s.Status)) || s.Pid <= 0 {
		t.Errorf("%s survived as %+v, want one of %v with a pid", id, s, statuses)
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", s.Pid)); err != nil || !strings.Contains(string(b), "/deferio/"+id+"\n") {
		t.Errorf("%s: init %d is not in its cgroup: %v %q", id, s.Pid, err, b)
	}
	if _, err := os.Stat(filepath.Join(root, id, "state.json")); err != nil {
		t.Errorf("%s: %v", id, err)
	}
	if _, errs, code := nsinitRun(t, root, "delete", "--force", id); code != 0 {
		t.Errorf("delete --force of the survivor %s: %d %s", id, code, errs)
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// noLeftovers waits (the kernel finishes killed processes in its own
// time) until id left nothing behind: no process, cgroup or state.
func noLeftovers(t *testing.T, root, id, context string) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if left = leftovers(t, root, id); len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) != 0 {
		t.Errorf("%s: %s left %v", id, context, left)
	}
}

func isGone(o outcome) bool { return o.code == 1 && strings.Contains(o.stderr, "does not exist") }

// TestDeleteRacesCreate runs `create` and `delete --force` of one ID at
// the same moment, 100 times (20 with -short), with the delete a little
// later each round. Whatever the interleaving, the outcome is one of
// three and consistent: delete came first and found nothing, and create
// made a whole container; or delete came after, waited for create's
// lock, and removed everything, whether create succeeded or failed
// because delete killed its init. Nothing else is ever left.
func TestDeleteRacesCreate(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	dir := makeBundleSpec(t, bundle.DefaultSpec("sleep", "60"))
	root := t.TempDir()
	counts := map[string]int{}
	for i := range raceRounds() {
		id := fmt.Sprintf("race-cd-%d-%d", os.Getpid(), i)
		var create, del outcome
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); create = nsinitQuiet(bin, root, "create", "--bundle", dir, id) }()
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i%25) * time.Millisecond)
			del = nsinitQuiet(bin, root, "delete", "--force", id)
		}()
		wg.Wait()
		_, statErr := os.Stat(filepath.Join(root, id))
		exists := statErr == nil
		switch {
		case isGone(del) && create.code == 0 && exists:
			counts["delete first"]++
			consistent(t, root, id, "created")
		case del.code == 0 && create.code == 0 && !exists:
			counts["create, then delete"]++
		case del.code == 0 && create.code != 0 && !exists:
			counts["delete, then create failed"]++
		default:
			t.Errorf("round %d: create %d %q, delete %d %q, state exists %v", i, create.code, create.stderr, del.code, del.stderr, exists)
			nsinitQuiet(bin, root, "delete", "--force", id)
		}
		noLeftovers(t, root, id, fmt.Sprintf("round %d", i))
	}
	t.Logf("outcomes: %v", counts)
}

// TestCreateRacesCreate runs two `create`s of one ID at the same moment,
// 100 times: exactly one succeeds, the other says the container exists,
// and the container is whole.
func TestCreateRacesCreate(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	dir := makeBundleSpec(t, bundle.DefaultSpec("sleep", "60"))
	root := t.TempDir()
	for i := range raceRounds() {
		id := fmt.Sprintf("race-cc-%d-%d", os.Getpid(), i)
		var a, b outcome
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); a = nsinitQuiet(bin, root, "create", "--bundle", dir, id) }()
		go func() { defer wg.Done(); b = nsinitQuiet(bin, root, "create", "--bundle", dir, id) }()
		wg.Wait()
		won, lost := a, b
		if a.code != 0 {
			won, lost = b, a
		}
		if won.code != 0 || lost.code != 1 || !strings.Contains(lost.stderr, "already exists") {
			t.Errorf("round %d: creates %d %q and %d %q, want one success and one \"already exists\"", i, a.code, a.stderr, b.code, b.stderr)
		}
		if _, err := os.Stat(filepath.Join(root, id)); err == nil {
			consistent(t, root, id, "created")
		}
		noLeftovers(t, root, id, fmt.Sprintf("round %d", i))
	}
}

// TestDeleteRacesStart runs `start` and `delete --force` of a created
// container at the same moment, 100 times: delete always succeeds (it
// waits for start's lock, or kills the init start waits for), and
// nothing is left, whether start succeeded or failed.
func TestDeleteRacesStart(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	dir := makeBundleSpec(t, bundle.DefaultSpec("sleep", "60"))
	root := t.TempDir()
	counts := map[string]int{}
	for i := range raceRounds() {
		id := fmt.Sprintf("race-sd-%d-%d", os.Getpid(), i)
		if o := nsinitQuiet(bin, root, "create", "--bundle", dir, id); o.code != 0 {
			t.Fatalf("create: %d %s", o.code, o.stderr)
		}
		var start, del outcome
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); start = nsinitQuiet(bin, root, "start", id) }()
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i%10) * time.Millisecond)
			del = nsinitQuiet(bin, root, "delete", "--force", id)
		}()
		wg.Wait()
		if del.code != 0 {
			t.Errorf("round %d: delete --force: %d %q (start: %d %q)", i, del.code, del.stderr, start.code, start.stderr)
		}
		counts["start "+strconv.Itoa(start.code)]++
		noLeftovers(t, root, id, fmt.Sprintf("round %d", i))
	}
	t.Logf("outcomes (start's exit status): %v", counts)
}
