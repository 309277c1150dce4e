// Package procbench measures what procx costs over a bare os/exec when
// starting a process: procx.Command adds a PATH lookup, a new process
// group (Setpgid) and a context watcher (Cmd.Cancel, Cmd.WaitDelay).
//
//	go test -bench . -count=5 ./procbench/
//
// BenchmarkSpawn runs each way as its own sub-benchmark (for benchstat
// -col /impl); BenchmarkSpawnRatio alternates them in one loop, so both see
// the same machine load, and reports procx's time over exec's as "ratio".
package procbench

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/deferio/deferio/procx"
)

const prog = "/bin/true"

func bare() error { return exec.Command(prog).Run() }

func withProcx(ctx context.Context) error {
	cmd, err := procx.Command(ctx, []string{prog})
	if err != nil {
		return err
	}
	return cmd.Run()
}

func BenchmarkSpawn(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("impl=exec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := bare(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := withProcx(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procx-output", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := procx.Output(ctx, []string{prog}, 1024); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSpawnRatio runs exec and procx one after the other in every
// iteration and reports the ratio of their total times (procx/exec): the
// target is at most 1.05.
func BenchmarkSpawnRatio(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tExec, tProcx time.Duration
	i := 0
	for b.Loop() {
		// Alternate which goes first, so neither always runs on a warm
		// or a cold cache.
		first, second := bare, func() error { return withProcx(ctx) }
		if i%2 == 1 {
			first, second = second, first
		}
		t0 := time.Now()
		if err := first(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := second(); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if i%2 == 0 {
			tExec += t1.Sub(t0)
			tProcx += t2.Sub(t1)
		} else {
			tProcx += t1.Sub(t0)
			tExec += t2.Sub(t1)
		}
		i++
	}
	if tExec > 0 {
		b.ReportMetric(float64(tProcx)/float64(tExec), "ratio")
		b.ReportMetric(float64(tExec.Nanoseconds())/float64(i), "ns/exec")
		b.ReportMetric(float64(tProcx.Nanoseconds())/float64(i), "ns/procx")
	}
}
