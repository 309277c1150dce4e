// Package procbench measures what procx costs over a bare os/exec when
// starting a process: a PATH lookup, a new process group (Setpgid) and a
// way to end the tree when a context is done.
//
//	go test -bench . -count=5 ./procbench/
//
// BenchmarkSpawn runs each way as its own sub-benchmark (for benchstat
// -col /impl). On a shared machine those numbers drift with the load, so
// BenchmarkSpawnRatio alternates each procx way with a bare
// exec.Command("/bin/true").Run() in one loop, both under the same load,
// and reports procx's time over exec's.
package procbench

import (
	"context"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/deferio/deferio/procx"
)

const prog = "/bin/true"

func bare() error { return exec.Command(prog).Run() }

// procxRun is procx.Run: cancellation through context.AfterFunc.
func procxRun(ctx context.Context) error {
	_, err := procx.Run(ctx, []string{prog}, nil, nil, nil)
	return err
}

// procxCommand is procx.Command then Run: exec.CommandContext's watcher
// goroutine plus a group-kill Cancel.
func procxCommand(ctx context.Context) error {
	cmd, err := procx.Command(ctx, []string{prog})
	if err != nil {
		return err
	}
	return cmd.Run()
}

// ways are the procx ways compared with bare.
var ways = []struct {
	name string
	run  func(context.Context) error
}{
	{"procx-run", procxRun},
	{"procx-command", procxCommand},
	{"procx-output", func(ctx context.Context) error {
		_, err := procx.Output(ctx, []string{prog}, 1024)
		return err
	}},
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
	for _, w := range ways {
		b.Run("impl="+w.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := w.run(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSpawnRatio runs exec and one procx way one after the other in
// every iteration, alternating which goes first, and reports procx's time
// over exec's: "ratio" from the totals, and "ratio-median" from the median
// of each, which a burst of load from other processes moves much less.
// The target for procx-run is at most 1.05.
func BenchmarkSpawnRatio(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, w := range ways {
		b.Run("impl="+w.name, func(b *testing.B) {
			var execTimes, procxTimes []time.Duration
			other := func() error { return w.run(ctx) }
			i := 0
			for b.Loop() {
				first, second := bare, other
				if i%2 == 1 {
					first, second = other, bare
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
					execTimes, procxTimes = append(execTimes, t1.Sub(t0)), append(procxTimes, t2.Sub(t1))
				} else {
					procxTimes, execTimes = append(procxTimes, t1.Sub(t0)), append(execTimes, t2.Sub(t1))
				}
				i++
			}
			report(b, execTimes, procxTimes)
		})
	}
}

func report(b *testing.B, execTimes, procxTimes []time.Duration) {
	var tExec, tProcx time.Duration
	for i := range execTimes {
		tExec += execTimes[i]
		tProcx += procxTimes[i]
	}
	if tExec == 0 {
		return
	}
	b.ReportMetric(float64(tProcx)/float64(tExec), "ratio")
	mExec, mProcx := median(execTimes), median(procxTimes)
	b.ReportMetric(float64(mProcx)/float64(mExec), "ratio-median")
	b.ReportMetric(float64(mExec.Nanoseconds()), "median-ns/exec")
	b.ReportMetric(float64(mProcx.Nanoseconds()), "median-ns/procx")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
