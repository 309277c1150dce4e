// Package strategybench measures how long it takes to know every defer's
// strategy in a set of packages (the standard library by default): by
// asking the compiler (go build -a -gcflags=-d=defer, a full rebuild,
// since cached packages print nothing) and by the deferstrategy model
// (load, type-check from source and decide, as agreement.Predict does).
//
//	go test -bench . -benchtime 1x -count 3 ./strategybench/
//	STRATEGYBENCH_PATTERNS="fmt net/http" go test -bench . ./strategybench/
//
// Each iteration of BenchmarkStrategies runs both, one after the other,
// so that both see the same machine load, and reports their ratio as
// compile/model (how many times faster the model is).
package strategybench

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/agreement"
)

func patterns() []string {
	if p := os.Getenv("STRATEGYBENCH_PATTERNS"); p != "" {
		return strings.Fields(p)
	}
	return []string{"std"}
}

func compile(b *testing.B, pats []string) time.Duration {
	b.Helper()
	start := time.Now()
	cmd := exec.Command("go", append([]string{"build", "-a", "-gcflags=-d=defer", "--"}, pats...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%.2000s", err, out)
	}
	return time.Since(start)
}

func model(b *testing.B, pats []string) (time.Duration, int) {
	b.Helper()
	start := time.Now()
	pred, err := agreement.Predict(context.Background(), ".", os.Environ(), pats, strategy.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(start), len(pred.Defers)
}

// BenchmarkStrategies runs the compiler and the model side by side.
func BenchmarkStrategies(b *testing.B) {
	pats := patterns()
	var c, m time.Duration
	defers := 0
	for b.Loop() {
		c += compile(b, pats)
		var d time.Duration
		d, defers = model(b, pats)
		m += d
	}
	b.ReportMetric(c.Seconds()/float64(b.N), "compile-s/op")
	b.ReportMetric(m.Seconds()/float64(b.N), "model-s/op")
	b.ReportMetric(c.Seconds()/m.Seconds(), "compile/model")
	b.ReportMetric(float64(defers), "defers")
}

// BenchmarkTool times each alone, as sub-benchmarks benchstat can put
// side by side (benchstat -col /tool).
func BenchmarkTool(b *testing.B) {
	pats := patterns()
	b.Run("tool=compiler", func(b *testing.B) {
		for b.Loop() {
			compile(b, pats)
		}
	})
	b.Run("tool=deferstrategy", func(b *testing.B) {
		for b.Loop() {
			model(b, pats)
		}
	})
}
