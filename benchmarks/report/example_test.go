package report_test

import (
	"fmt"
	"strings"

	"github.com/deferio/deferio/benchmarks/report"
)

// Summarize takes the median of each benchmark's runs and divides it by
// the baseline's median: here open-coded is 3.3/3.1 of a direct call.
func ExampleSummarize() {
	raw := `goos: linux
BenchmarkDefer/kernel=direct/strategy=direct-2      1000  3.0 ns/op  0 allocs/op
BenchmarkDefer/kernel=direct/strategy=direct-2      1000  3.1 ns/op  0 allocs/op
BenchmarkDefer/kernel=direct/strategy=direct-2      1000  3.4 ns/op  0 allocs/op
BenchmarkDefer/kernel=heap-loop/strategy=heap-allocated-2  1000  33 ns/op  0 allocs/op
BenchmarkDefer/kernel=heap-loop/strategy=heap-allocated-2  1000  31 ns/op  0 allocs/op
BenchmarkDefer/kernel=heap-loop/strategy=heap-allocated-2  1000  40 ns/op  0 allocs/op
BenchmarkDefer/kernel=open-coded/strategy=open-coded-2     1000  3.3 ns/op  0 allocs/op
BenchmarkDefer/kernel=open-coded/strategy=open-coded-2     1000  3.2 ns/op  0 allocs/op
BenchmarkDefer/kernel=open-coded/strategy=open-coded-2     1000  3.9 ns/op  0 allocs/op
`
	samples, config, err := report.Parse(strings.NewReader(raw), "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	table, err := report.Summarize(samples, config, "kernel", "direct")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range table.Rows {
		fmt.Printf("%-10s %-15s median %4.1f ns  %5.2fx\n", r.Label, r.Sample.Key("strategy"), r.NsOp.Center, r.Ratio)
	}
	// Output:
	// direct     direct          median  3.1 ns   1.00x
	// heap-loop  heap-allocated  median 33.0 ns  10.65x
	// open-coded open-coded      median  3.3 ns   1.06x
}
