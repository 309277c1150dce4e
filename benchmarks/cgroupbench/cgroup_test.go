// Package cgroupbench measures container/cgroups on the real kernel, v1
// and v2 side by side: a Freeze+Thaw round trip (v1 freezer.state against
// v2 cgroup.freeze) and a Stats read. It needs root.
//
//	go test -bench . -count=5 ./cgroupbench/
//
// The Ratio benchmarks alternate v1 and v2 in one loop, so both see the
// same machine load, and report v1's time over v2's as "v1/v2". On a
// hybrid host the v2 cgroup has no controllers, so its Stats reads only
// cpu.stat while v1's reads about a dozen files in eight hierarchies:
// compare Stats across hosts of one kind only.
package cgroupbench

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/deferio/deferio/container/cgroups"
)

// setup puts a sleeping process into a fresh cgroup of each version and
// returns the managers; cleanup kills the process and removes everything.
func setup(b *testing.B) (v1, v2 cgroups.Manager) {
	b.Helper()
	if os.Geteuid() != 0 {
		unavailable(b, "needs root: creates cgroups")
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	parent := "/deferio-bench-" + hex.EncodeToString(r[:])
	var err error
	if v1, err = cgroups.NewV1(parent + "/v1"); err != nil {
		unavailable(b, "no cgroup v1 hierarchy: "+err.Error())
	}
	if v2, err = cgroups.NewV2(parent + "/v2"); err != nil {
		unavailable(b, "no cgroup v2 hierarchy: "+err.Error())
	}
	for _, m := range []cgroups.Manager{v1, v2} {
		cmd := exec.Command("sleep", "1000")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			_ = m.Thaw()
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			for i := 0; i < 200; i++ {
				if pids, _ := m.Pids(); len(pids) == 0 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := m.Destroy(); err != nil {
				b.Error(err)
			}
			for _, d := range m.Paths() {
				_ = os.Remove(filepath.Dir(d))
			}
		})
		if err := m.Apply(cmd.Process.Pid); err != nil {
			b.Fatal(err)
		}
	}
	return v1, v2
}

// unavailable skips a benchmark that cannot run here, or fails it under
// CI=true, where a missing privilege or hierarchy is a broken machine.
func unavailable(b *testing.B, why string) {
	b.Helper()
	if os.Getenv("CI") == "true" {
		b.Fatal(why + " (CI=true makes that a failure)")
	}
	b.Skip(why)
}

func freezeThaw(b *testing.B, m cgroups.Manager) {
	if err := m.Freeze(); err != nil {
		b.Fatal(err)
	}
	if err := m.Thaw(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkFreezeThaw(b *testing.B) {
	v1, v2 := setup(b)
	b.Run("version=v1", func(b *testing.B) {
		for b.Loop() {
			freezeThaw(b, v1)
		}
	})
	b.Run("version=v2", func(b *testing.B) {
		for b.Loop() {
			freezeThaw(b, v2)
		}
	})
}

func BenchmarkFreezeThawRatio(b *testing.B) {
	v1, v2 := setup(b)
	var t1, t2 time.Duration
	for b.Loop() {
		s := time.Now()
		freezeThaw(b, v1)
		m := time.Now()
		freezeThaw(b, v2)
		t1, t2 = t1+m.Sub(s), t2+time.Since(m)
	}
	b.ReportMetric(float64(t1)/float64(t2), "v1/v2")
}

func BenchmarkStats(b *testing.B) {
	v1, v2 := setup(b)
	for _, c := range []struct {
		name string
		m    cgroups.Manager
	}{{"version=v1", v1}, {"version=v2", v2}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.m.Stats(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
