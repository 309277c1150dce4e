package cost_test

import (
	"context"
	"fmt"

	"github.com/deferio/deferio/defer/cost"
)

// Each kernel names the sub-benchmark that measures it in key=value form,
// so benchstat can compare by kernel or by strategy.
func ExampleKernels() {
	for _, k := range cost.Kernels()[:4] {
		fmt.Printf("%-40s %d defer(s)\n", k.BenchName(), k.Defers)
	}
	// Output:
	// kernel=direct/strategy=direct            0 defer(s)
	// kernel=open-coded/strategy=open-coded    1 defer(s)
	// kernel=stack-16-returns/strategy=stack-allocated 1 defer(s)
	// kernel=heap-loop/strategy=heap-allocated 1 defer(s)
}

// Decisions asks the real compiler which strategy each defer gets. With
// -race, function exits are instrumented and open coding is off.
func ExampleDecisions() {
	for _, race := range []bool{false, true} {
		ds, err := cost.Decisions(context.Background(), ".", cost.CompileOptions{Race: race})
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, d := range ds {
			if d.Func == "OpenCoded" {
				fmt.Printf("OpenCoded, race=%v: %s\n", race, d.Strategy)
			}
		}
	}
	// Output:
	// OpenCoded, race=false: open-coded
	// OpenCoded, race=true: stack-allocated
}
