package peertest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"

	"github.com/deferio/deferio/internal/testenv"
)

// A namespace left behind by a process that died is removed; one of a
// live process is not. The test holds the lock that RemoveStale takes
// while it plants the stale namespace, so another test process that
// removes stale namespaces at the same time cannot take it first.
func TestRemoveStale(t *testing.T) {
	testenv.Need(t, "root and ip", Missing(false))
	live, err := NewNetns("live")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	// PID 2^22+1 is above Linux's pid_max limit, so no process has it;
	// our own PID keeps the name apart from other runs of this test.
	dead := fmt.Sprintf("dfpeer-4194305-%d-stale", os.Getpid())
	// A leftover of a dead process that had our PID before us.
	reused := fmt.Sprintf("dfpeer-%d-0-reused", os.Getpid())
	unlock, err := lockStale()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{dead, reused} {
		if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
			unlock()
			t.Fatalf("%v: %s", err, out)
		}
	}
	removed, err := removeStaleLocked()
	unlock()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(removed, dead) || !slices.Contains(removed, reused) || slices.Contains(removed, live.Name) {
		t.Errorf("removed %v; want %s and %s, not %s", removed, dead, reused, live.Name)
	}
	for _, name := range []string{dead, reused} {
		if _, err := os.Stat(netnsDir + "/" + name); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stale namespace %s still there: %v", name, err)
			exec.Command("ip", "netns", "del", name).Run()
		}
	}
	if _, err := os.Stat(netnsDir + "/" + live.Name); err != nil {
		t.Errorf("live namespace gone: %v", err)
	}
}

// Callers of RemoveStale at the same time take turns: none fails and each
// stale namespace is reported removed exactly once.
func TestRemoveStaleConcurrent(t *testing.T) {
	testenv.Need(t, "root and ip", Missing(false))
	var names []string
	for i := range 3 {
		name := fmt.Sprintf("dfpeer-4194305-%d-%d-stale", os.Getpid(), i)
		if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		names = append(names, name)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[string]int{}
	for range 4 {
		wg.Go(func() {
			removed, err := RemoveStale()
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, n := range removed {
				count[n]++
			}
		})
	}
	wg.Wait()
	for _, n := range names {
		if count[n] != 1 {
			t.Errorf("%s reported removed %d times, want once", n, count[n])
		}
		if _, err := os.Stat(netnsDir + "/" + n); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there: %v", n, err)
			exec.Command("ip", "netns", "del", n).Run()
		}
	}
}
