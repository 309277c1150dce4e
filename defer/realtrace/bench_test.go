package realtrace_test

import (
	"context"
	"errors"
	"testing"

	"github.com/deferio/deferio/defer/realtrace"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/testenv"
)

// overheadProg makes 200 heap, 200 stack-free open-coded and 200
// panicking calls: about 2,000 events.
const overheadProg = `package main

func loop(n int) (s int) {
	for i := 0; i < n; i++ {
		defer func() { s++ }()
	}
	return 0
}

func open() (s int) {
	defer func() { s++ }()
	defer func() { s++ }()
	return 0
}

func boom() (s int) {
	defer func() { recover(); s = 1 }()
	panic("x")
}

func main() {
	t := 0
	for j := 0; j < 200; j++ {
		t += loop(2) + open() + boom()
	}
	println(t)
}
`

// BenchmarkOverhead runs the same program untraced (the untouched
// runtime, go build) and traced (probes and ptrace); compare the ns/op
// of mode=traced with mode=untraced. events/op is the traced events.
func BenchmarkOverhead(b *testing.B) {
	testenv.NeedGo(b)
	ctx := context.Background()
	mod, bin, err := gorun.BuildProgram(ctx, []byte(overheadProg))
	if err != nil {
		b.Fatal(err)
	}
	defer mod.Close()
	p, err := realtrace.Build(ctx, []byte(overheadProg))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.Run("mode=untraced", func(b *testing.B) {
		for b.Loop() {
			if _, err := gorun.Exec(ctx, bin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mode=traced", func(b *testing.B) {
		events := 0
		for b.Loop() {
			res, err := p.Run(ctx, realtrace.Options{})
			if errors.Is(err, realtrace.ErrUnavailable) {
				testenv.Need(b, "ptrace", err)
			}
			if err != nil {
				b.Fatal(err)
			}
			events = len(res.Events)
		}
		b.ReportMetric(float64(events), "events/op")
	})
}
