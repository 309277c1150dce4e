package deferbench

import (
	"testing"

	"github.com/deferio/deferio/defer/cost"
)

// bodies calls each kernel directly (not through a func value), so that
// the only difference between two sub-benchmarks is the kernel.
var bodies = map[string]func(b *testing.B, arg int){
	"direct": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.Direct(arg)
		}
	},
	"open-coded": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.OpenCoded(arg)
		}
	},
	"stack-16-returns": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.Stack16Returns(arg)
		}
	},
	"heap-loop": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.HeapLoop(arg)
		}
	},
	"open-coded-15-returns": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.OpenCoded15Returns(arg)
		}
	},
	"open-coded-8": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.OpenCoded8(arg)
		}
	},
	"stack-9": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.Stack9(arg)
		}
	},
	"heap-loop-args": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.HeapLoopArgs(arg)
		}
	},
	"open-coded-args": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.OpenCodedArgs(arg)
		}
	},
	"open-coded-closure": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.OpenCodedClosure(arg)
		}
	},
	"open-coded-recover": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.OpenCodedRecover(arg)
		}
	},
	"panic-open-coded": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.PanicOpenCoded(arg)
		}
	},
	"panic-stack": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.PanicStack(arg)
		}
	},
	"go-return": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.GoReturn(arg)
		}
	},
	"go-goexit": func(b *testing.B, arg int) {
		for b.Loop() {
			cost.GoGoexit(arg)
		}
	},
}

// BenchmarkDefer measures every kernel of defer/cost, in teaching order.
func BenchmarkDefer(b *testing.B) {
	for _, k := range cost.Kernels() {
		body, ok := bodies[k.Name]
		if !ok {
			b.Fatalf("no benchmark body for kernel %s", k.Name)
		}
		b.Run(k.BenchName(), func(b *testing.B) {
			b.ReportAllocs()
			body(b, k.Arg)
			if k.Defers > 0 && b.N > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(k.Defers), "ns/defer")
			}
		})
	}
}

// TestEveryKernelHasABody keeps the bodies and the kernels in step.
func TestEveryKernelHasABody(t *testing.T) {
	names := map[string]bool{}
	for _, k := range cost.Kernels() {
		names[k.Name] = true
		if bodies[k.Name] == nil {
			t.Errorf("kernel %s has no benchmark body", k.Name)
		}
	}
	for name := range bodies {
		if !names[name] {
			t.Errorf("benchmark body %s names no kernel", name)
		}
	}
}
