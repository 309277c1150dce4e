package cgroups

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFreezeStopsCounter(t *testing.T) {
	m := newV1Test(t)
	file := t.TempDir() + "/counter"
	h := startHelper(t, "counter", file)
	if err := m.Apply(h.pid()); err != nil {
		t.Fatal(err)
	}
	read := func() int {
		b, err := os.ReadFile(file)
		if err != nil {
			return -1
		}
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
		t.Fatalf("FreezerState after Freeze = %q, %v; want FROZEN", s, err)
	}
	c1 := read()
	time.Sleep(200 * time.Millisecond)
	c2 := read()
	if c1 != c2 {
		t.Fatalf("frozen counter moved from %d to %d", c1, c2)
	}
	if err := m.Thaw(); err != nil {
		t.Fatal(err)
	}
	if s, err := m.FreezerState(); err != nil || s != Thawed {
		t.Fatalf("FreezerState after Thaw = %q, %v; want THAWED", s, err)
	}
	waitFor(t, "the thawed counter to move", func() bool { return read() > c2 })
}

// TestFreezeThawCycles repeats the freeze check: each cycle the state must
// read FROZEN, the counter must hold still between two reads, and after
// Thaw it must move. A short run by default; DEFERIO_CGROUPS_SOAK=N runs N
// cycles.
func TestFreezeThawCycles(t *testing.T) {
	cycles := 10
	if n, err := strconv.Atoi(os.Getenv("DEFERIO_CGROUPS_SOAK")); err == nil && n > 0 {
		cycles = n
	}
	m := newV1Test(t)
	file := t.TempDir() + "/counter"
	h := startHelper(t, "counter", file)
	if err := m.Apply(h.pid()); err != nil {
		t.Fatal(err)
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
	for i := range cycles {
		if err := m.Freeze(); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if s, err := m.FreezerState(); err != nil || s != Frozen {
			t.Fatalf("cycle %d: state %q, %v", i, s, err)
		}
		c1 := read()
		time.Sleep(20 * time.Millisecond)
		if c2 := read(); c2 != c1 {
			t.Fatalf("cycle %d: frozen counter moved %d -> %d", i, c1, c2)
		}
		if err := m.Thaw(); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		waitFor(t, "the counter to move after Thaw", func() bool { return read() > c1 })
	}
}
