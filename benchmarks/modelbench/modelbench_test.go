// Package modelbench measures the defer model's throughput: how many
// defer statements per second defer/interp and defer/chain execute
// (deferred, then run at return), on programs of 1,000 defers, one per
// compiler strategy. The native sub-benchmarks run the same Go code
// compiled, for a side-by-side ratio:
//
//	go test -bench . -count 10 ./modelbench | benchstat -col /impl -
package modelbench

import (
	"fmt"
	"testing"

	"github.com/deferio/deferio/defer/interp"
)

// Each program executes 1,000 defer statements.
var programs = map[string]string{
	// One function, a loop: 1,000 heap-allocated records (pool reuse).
	"heap-allocated": `package main

import "fmt"

func main() {
	sum := 0
	for i := range 1000 {
		defer func() { sum += i }()
	}
	defer fmt.Print("")
}
`,
	// 100 calls of a function with 10 defers (> 8): stack-allocated.
	"stack-allocated": `package main

func ten(p *int) {
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
}

func main() {
	n := 0
	for range 100 {
		ten(&n)
	}
}
`,
	// 125 calls of a function with 8 defers: open-coded.
	"open-coded": `package main

func eight(p *int) {
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
}

func main() {
	n := 0
	for range 125 {
		eight(&n)
	}
}
`,
}

// The same work, compiled.
func nativeHeap() int {
	sum := 0
	func() {
		for i := range 1000 {
			defer func() { sum += i }()
		}
	}()
	return sum
}

func ten(p *int) {
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
}

func eight(p *int) {
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
	defer func() { *p++ }()
}

var natives = map[string]func() int{
	"heap-allocated": nativeHeap,
	"stack-allocated": func() int {
		n := 0
		for range 100 {
			ten(&n)
		}
		return n
	},
	"open-coded": func() int {
		n := 0
		for range 125 {
			eight(&n)
		}
		return n
	},
}

var sink int

func BenchmarkModel(b *testing.B) {
	for _, strat := range []string{"open-coded", "stack-allocated", "heap-allocated"} {
		prog, err := interp.Load(strat+".go", []byte(programs[strat]), nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := prog.Run(interp.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if n := countDefers(res); n < 1000 {
			b.Fatalf("%s: the program deferred %d calls, want at least 1000", strat, n)
		}
		b.Run(fmt.Sprintf("strategy=%s/impl=model", strat), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := prog.Run(interp.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "defers/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(1000*float64(b.N)), "ns/defer")
		})
		b.Run(fmt.Sprintf("strategy=%s/impl=native", strat), func(b *testing.B) {
			b.ReportAllocs()
			f := natives[strat]
			for b.Loop() {
				sink += f()
			}
			b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "defers/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(1000*float64(b.N)), "ns/defer")
		})
	}
}

// BenchmarkModelTrace is the model with every event recorded, as
// deferlab run does.
func BenchmarkModelTrace(b *testing.B) {
	prog, err := interp.Load("heap.go", []byte(programs["heap-allocated"]), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := prog.Run(interp.Options{Trace: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "defers/s")
}

func countDefers(res *interp.Result) int {
	n := 0
	for k, c := range res.Counts {
		switch k.String() {
		case "deferproc", "deferprocStack", "open-defer":
			n += c
		}
	}
	return n
}
