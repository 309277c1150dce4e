package costlessons

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/deferio/deferio/defer/cost"
	"github.com/deferio/deferio/internal/lesson"
)

// liveBenchtime is how long the live lesson measures each kernel.
const liveBenchtime = 80 * time.Millisecond

var (
	benchtimeOnce sync.Once
	benchtimeFlag *flag.Flag
)

// withBenchtime runs f with testing's -test.benchtime set to d, and puts
// the old value back. testing.Benchmark reads that flag's variable; in a
// program that is not a test the flag exists only after testing.Init,
// which is called on a private flag set so that the program's own flags
// are left alone.
func withBenchtime(d time.Duration, f func()) error {
	benchtimeOnce.Do(func() {
		if benchtimeFlag = flag.Lookup("test.benchtime"); benchtimeFlag != nil {
			return // a test binary: testing.Init has run
		}
		saved := flag.CommandLine
		flag.CommandLine = flag.NewFlagSet("testing", flag.ContinueOnError)
		testing.Init()
		benchtimeFlag = flag.Lookup("test.benchtime")
		flag.CommandLine = saved
	})
	if benchtimeFlag == nil {
		return fmt.Errorf("unable to set the benchmark time: package testing has no test.benchtime flag")
	}
	old := benchtimeFlag.Value.String()
	if err := benchtimeFlag.Value.Set(d.String()); err != nil {
		return fmt.Errorf("unable to set the benchmark time: %w", err)
	}
	defer benchtimeFlag.Value.Set(old)
	f()
	return nil
}

// A measurement of one kernel.
type measurement struct {
	k      cost.Kernel
	ns     float64
	allocs int64
}

func measure(ctx context.Context) ([]measurement, error) {
	var ms []measurement
	var err error
	err2 := withBenchtime(liveBenchtime, func() {
		for _, k := range cost.Kernels() {
			if err = ctx.Err(); err != nil {
				return
			}
			run, arg := k.Run, k.Arg
			r := testing.Benchmark(func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					run(arg)
				}
			})
			if r.N == 0 {
				err = fmt.Errorf("unable to benchmark kernel %s: it did not run", k.Name)
				return
			}
			ms = append(ms, measurement{k: k, ns: float64(r.T.Nanoseconds()) / float64(r.N), allocs: r.AllocsPerOp()})
		}
	})
	if err2 != nil {
		return nil, err2
	}
	return ms, err
}

func live(ctx context.Context, p *lesson.Page) error {
	if raceEnabled {
		p.Note("this program was built with -race: open coding is off and every call is instrumented, so these figures are not what defer costs. Build without -race to see them.")
	}
	p.Textf("Each kernel runs for about %v under testing.Benchmark, calling it through a func value: "+
		"a quick look, not a measurement. make bench runs the real benchmarks.", liveBenchtime)
	ms, err := measure(ctx)
	if err != nil {
		return err
	}
	direct := ms[0].ns
	p.Heading(fmt.Sprintf("testing.Benchmark, %s/%s, %s, GOMAXPROCS %d", runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.GOMAXPROCS(0)))
	tw := tabwriter.NewWriter(p.Writer(), 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kernel\tstrategy\tns/op\tx direct\tns/defer\tallocs/op\t\t")
	for _, m := range ms {
		perDefer := "-"
		if m.k.Defers > 0 {
			perDefer = fmt.Sprintf("%.1f", m.ns/float64(m.k.Defers))
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.2fx\t%s\t%d\t\t%s\n", m.k.Name, m.k.Strategy, m.ns, m.ns/direct, perDefer, m.allocs, m.k.About)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("unable to write the table: %w", err)
	}
	fmt.Fprintln(p.Writer())
	return nil
}
