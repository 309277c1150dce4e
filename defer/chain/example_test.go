package chain_test

import (
	"fmt"

	"github.com/deferio/deferio/defer/chain"
)

// A function with a heap defer (from a loop) and a stack defer: the
// records are linked at the head and run last-in first-out at return.
func Example() {
	g := chain.NewG(chain.Options{OnEvent: func(e chain.Event) {
		switch e.Kind {
		case chain.EvDeferProc, chain.EvDeferProcStack, chain.EvRunDefer:
			fmt.Printf("%-14s record #%d, chain %v\n", e.Kind, e.Record, e.Chain)
		}
	}})
	out := g.Run(func() {
		g.Call("main.main", false, func(f *chain.Frame) {
			g.DeferProcStack(f, "main.go:4:2", func() { fmt.Println("stack defer runs") })
			g.DeferProc(f, "main.go:6:3", func() { fmt.Println("heap defer runs") })
		})
	})
	fmt.Println("exit status", out.Status, "heap records allocated:", g.Pool().Allocs)
	// Output:
	// deferprocStack record #1, chain [1]
	// deferproc      record #2, chain [2 1]
	// run-defer      record #2, chain [2 1]
	// heap defer runs
	// run-defer      record #1, chain [1]
	// stack defer runs
	// exit status 0 heap records allocated: 1
}
