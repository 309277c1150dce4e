package cost

import (
	_ "embed"
	"errors"
	"fmt"
)

// A Strategy is how the compiler implements a defer statement, spelled as
// the compiler's -d=defer report spells it, or NoDefer for a kernel with
// no defer at all.
type Strategy string

// The strategies, in the order of their cost.
const (
	NoDefer        Strategy = "direct" // no defer: a plain call
	OpenCodedDefer Strategy = "open-coded"
	StackDefer     Strategy = "stack-allocated"
	HeapDefer      Strategy = "heap-allocated"
)

// A Kernel is one measured function and what it must be.
type Kernel struct {
	// Name is short, unique and lower-case with dashes, such as
	// "open-coded" or "stack-9"; it names the sub-benchmark.
	Name string
	// Strategy is what the compiler must pick for every defer statement
	// of the functions in Funcs (NoDefer: they contain no defer).
	Strategy Strategy
	// Funcs names the functions of this package whose defer statements
	// the kernel measures: the kernel itself, or the body of the
	// goroutine it starts.
	Funcs []string
	// Arg is what the benchmarks pass to Run.
	Arg int
	// Defers is how many deferred calls one Run(Arg) makes; Direct makes
	// one plain call instead.
	Defers int
	// Run is the kernel.
	Run func(int) int
	// About says in a line what the kernel shows.
	About string
}

// BenchName returns the sub-benchmark name of k, in key=value form so that
// benchstat can group by either key: "kernel=stack-9/strategy=stack-allocated".
func (k Kernel) BenchName() string {
	return fmt.Sprintf("kernel=%s/strategy=%s", k.Name, k.Strategy)
}

// Kernels returns every kernel, in teaching order: the direct call, one
// defer in each strategy, then the thresholds, the forms of a deferred
// call, panics and Goexit. The slice is new on each call.
func Kernels() []Kernel {
	return []Kernel{
		{Name: "direct", Strategy: NoDefer, Funcs: []string{"Direct"}, Arg: 1, Defers: 0, Run: Direct,
			About: "a plain call of the function the others defer"},
		{Name: "open-coded", Strategy: OpenCodedDefer, Funcs: []string{"OpenCoded"}, Arg: 1, Defers: 1, Run: OpenCoded,
			About: "one defer, open-coded: a bit in deferBits and an inline call at return"},
		{Name: "stack-16-returns", Strategy: StackDefer, Funcs: []string{"Stack16Returns"}, Arg: 0, Defers: 1, Run: Stack16Returns,
			About: "one defer, 16 returns x 1 defer > 15: a _defer record in the frame"},
		{Name: "heap-loop", Strategy: HeapDefer, Funcs: []string{"HeapLoop"}, Arg: 1, Defers: 1, Run: HeapLoop,
			About: "one defer in a loop (run once): a _defer record from the per-P pool"},
		{Name: "open-coded-15-returns", Strategy: OpenCodedDefer, Funcs: []string{"OpenCoded15Returns"}, Arg: 0, Defers: 1, Run: OpenCoded15Returns,
			About: "one defer, 15 returns x 1 defer = 15: still open-coded"},
		{Name: "open-coded-8", Strategy: OpenCodedDefer, Funcs: []string{"OpenCoded8"}, Arg: 1, Defers: 8, Run: OpenCoded8,
			About: "eight defers, the most deferBits (one byte) can track"},
		{Name: "stack-9", Strategy: StackDefer, Funcs: []string{"Stack9"}, Arg: 1, Defers: 9, Run: Stack9,
			About: "nine defers: every one becomes a stack-allocated record"},
		{Name: "heap-loop-args", Strategy: HeapDefer, Funcs: []string{"HeapLoopArgs"}, Arg: 1, Defers: 1, Run: HeapLoopArgs,
			About: "a loop defer with an argument: the closure holding it escapes too"},
		{Name: "open-coded-args", Strategy: OpenCodedDefer, Funcs: []string{"OpenCodedArgs"}, Arg: 1, Defers: 1, Run: OpenCodedArgs,
			About: "defer f(n): the argument is evaluated at the defer statement"},
		{Name: "open-coded-closure", Strategy: OpenCodedDefer, Funcs: []string{"OpenCodedClosure"}, Arg: 1, Defers: 1, Run: OpenCodedClosure,
			About: "defer func() { f(n) }(): what defer f(n) compiles to since Go 1.17"},
		{Name: "open-coded-recover", Strategy: OpenCodedDefer, Funcs: []string{"OpenCodedRecover"}, Arg: 1, Defers: 1, Run: OpenCodedRecover,
			About: "a deferred recover() with no panic: recover returns nil"},
		{Name: "panic-open-coded", Strategy: OpenCodedDefer, Funcs: []string{"PanicOpenCoded"}, Arg: 0, Defers: 1, Run: PanicOpenCoded,
			About: "panic and recover through an open-coded frame"},
		{Name: "panic-stack", Strategy: StackDefer, Funcs: []string{"PanicStack"}, Arg: 0, Defers: 1, Run: PanicStack,
			About: "panic and recover through a frame with a linked _defer record"},
		{Name: "go-return", Strategy: OpenCodedDefer, Funcs: []string{"returnBody"}, Arg: 1, Defers: 1, Run: GoReturn,
			About: "start a goroutine that defers one call and returns, and wait"},
		{Name: "go-goexit", Strategy: OpenCodedDefer, Funcs: []string{"goexitBody"}, Arg: 1, Defers: 1, Run: GoGoexit,
			About: "the same goroutine ending in runtime.Goexit instead"},
	}
}

// Lookup returns the kernel named name.
func Lookup(name string) (Kernel, error) {
	for _, k := range Kernels() {
		if k.Name == name {
			return k, nil
		}
	}
	return Kernel{}, fmt.Errorf("no kernel named %q", name)
}

//go:embed kernels.go
var kernelsSource string

// Source returns the Go source of the kernels: one file of package cost
// that imports only errors and runtime, so that it compiles on its own.
func Source() string { return kernelsSource }

// Verify checks the compiler's decisions for kernels.go (from [Decisions]
// on this package, or on [Source] compiled on its own) against the
// kernels: every function a kernel names must have at least one defer and
// only defers of the kernel's strategy (none for NoDefer), and every defer
// in kernels.go must belong to a kernel. The error lists every mismatch.
func Verify(ds []Decision) error {
	byFunc := map[string][]Decision{}
	for _, d := range ds {
		if d.File == "kernels.go" {
			byFunc[d.Func] = append(byFunc[d.Func], d)
		}
	}
	var errs []error
	claimed := map[string]bool{}
	for _, k := range Kernels() {
		for _, fn := range k.Funcs {
			claimed[fn] = true
			got := byFunc[fn]
			switch {
			case k.Strategy == NoDefer && len(got) > 0:
				errs = append(errs, fmt.Errorf("kernel %s: %s must have no defer, the compiler reports %v", k.Name, fn, got))
			case k.Strategy != NoDefer && len(got) == 0:
				errs = append(errs, fmt.Errorf("kernel %s: the compiler reports no defer in %s", k.Name, fn))
			}
			for _, d := range got {
				if k.Strategy != NoDefer && d.Strategy != k.Strategy {
					errs = append(errs, fmt.Errorf("kernel %s claims %s, but the compiler says %v", k.Name, k.Strategy, d))
				}
			}
		}
	}
	for fn, got := range byFunc {
		if !claimed[fn] {
			errs = append(errs, fmt.Errorf("defers in kernels.go that no kernel claims: %v", got))
		}
	}
	return errors.Join(errs...)
}
