package cgroups

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.uber.org/goleak"
)

// The cgroup2 hierarchy here (/sys/fs/cgroup/unified on a hybrid host) has
// no controllers: every v1 controller is bound to v1. What it does have
// is the core: cgroup.procs, cgroup.freeze, cgroup.events, cgroup.kill and
// cpu.stat. These tests cover that core and the errors for the rest.

func newV2Test(t *testing.T) Manager {
	t.Helper()
	p := testPath(t)
	m, err := NewV2(p)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return m
}

func TestV2ApplyFreezeDestroy(t *testing.T) {
	m := newV2Test(t)
	file := t.TempDir() + "/counter"
	h := startHelper(t, "counter", file)
	if err := m.Apply(h.pid()); err != nil {
		t.Fatal(err)
	}
	dir := m.Paths()[unifiedKey]
	if pids, _ := readPids(dir); !slices.Contains(pids, h.pid()) {
		t.Fatalf("%s/cgroup.procs = %v, want %d", dir, pids, h.pid())
	}
	if got, err := m.Pids(); err != nil || !slices.Equal(got, []int{h.pid()}) {
		t.Errorf("Pids() = %v, %v", got, err)
	}
	if ev, _ := readKeyValues(dir, "cgroup.events"); ev["populated"] != 1 {
		t.Errorf("cgroup.events populated = %d, want 1", ev["populated"])
	}
	read := func() int {
		b, _ := os.ReadFile(file)
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return -1
		}
		return n
	}
	waitFor(t, "the counter to start", func() bool { return read() > 0 })
	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	if s, err := m.FreezerState(); err != nil || s != Frozen {
		t.Fatalf("FreezerState = %q, %v; want FROZEN", s, err)
	}
	c1 := read()
	time.Sleep(200 * time.Millisecond)
	if c2 := read(); c2 != c1 {
		t.Fatalf("frozen counter moved from %d to %d", c1, c2)
	}
	if err := m.Thaw(); err != nil {
		t.Fatal(err)
	}
	if s, err := m.FreezerState(); err != nil || s != Thawed {
		t.Fatalf("FreezerState = %q, %v; want THAWED", s, err)
	}
	waitFor(t, "the counter to move again", func() bool { return read() > c1 })

	st, err := m.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.CPU.UsageTotal == 0 {
		t.Errorf("cpu.stat usage is 0 for a cgroup running a counter: %+v", st.CPU)
	}
	if err := m.Destroy(); err == nil {
		t.Fatal("Destroy with a live process succeeded")
	}
	_ = h.cmd.Process.Kill()
	_ = h.cmd.Wait()
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s remains after Destroy", dir)
	}
}

func TestV2MissingControllersAndDevices(t *testing.T) {
	m := newV2Test(t)
	sleep := exec.Command("sleep", "100")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleep.Process.Kill(); _ = sleep.Wait() }()
	if err := m.Apply(sleep.Process.Pid); err != nil {
		t.Fatal(err)
	}
	have, err := m.(*v2).controllers()
	if err != nil {
		t.Fatal(err)
	}
	err = m.Set(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}})
	if !errors.Is(err, ErrDevicesNeedEBPF) {
		t.Errorf("Set(devices) on v2 = %v, want ErrDevicesNeedEBPF", err)
	}
	if !slices.Contains(have, "memory") {
		err := m.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: i64(64 << 20)}})
		if !errors.Is(err, ErrNoController) || !strings.Contains(err.Error(), "memory.max") {
			t.Errorf("Set(memory) without the memory controller = %v, want ErrNoController naming memory.max", err)
		}
		if _, err := m.NotifyOOM(t.Context()); !errors.Is(err, ErrNoController) {
			t.Errorf("NotifyOOM without memory.events = %v, want ErrNoController", err)
		}
	}
	if !slices.Contains(have, "pids") {
		err := m.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: i64(5)}})
		if !errors.Is(err, ErrNoController) {
			t.Errorf("Set(pids) without the pids controller = %v, want ErrNoController", err)
		}
	}
	if err := m.Set(&specs.LinuxResources{}); err != nil {
		t.Errorf("Set of nothing = %v, want nil", err)
	}
}

// TestWatchCounter checks the inotify watcher that v2's NotifyOOM uses,
// on a counter the controller-less hierarchy does have: cgroup.events
// "populated" goes from 0 to 1 when a process joins.
func TestWatchCounter(t *testing.T) {
	m := newV2Test(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := m.Paths()[unifiedKey]
	if _, err := mkdirCgroup(m.(*v2).root, dir); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch, err := watchCounter(ctx, dir, "cgroup.events", "populated")
	if err != nil {
		t.Fatal(err)
	}
	sleep := exec.Command("sleep", "100")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleep.Process.Kill(); _ = sleep.Wait() }()
	if err := m.Apply(sleep.Process.Pid); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-ch:
		if v != 1 {
			t.Errorf("populated = %d, want 1", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no inotify event for cgroup.events")
	}
	_ = sleep.Process.Kill()
	_ = sleep.Wait()
	waitFor(t, "the cgroup to empty", func() bool { p, _ := m.Pids(); return len(p) == 0 })
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-ch:
		if ok {
			t.Error("got a value after removal, want the channel closed")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("watch channel still open after the cgroup was removed")
	}
}
