package chain_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/chain"
)

func TestLIFO(t *testing.T) {
	g := chain.NewG(chain.Options{})
	var got []int
	out := g.Run(func() {
		g.Call("main.main", false, func(f *chain.Frame) {
			for i := range 3 {
				g.DeferProcStack(f, fmt.Sprint("s", i), func() { got = append(got, i) })
			}
			if n := len(g.Chain()); n != 3 {
				t.Errorf("chain has %d records before return, want 3", n)
			}
		})
	})
	if !slices.Equal(got, []int{2, 1, 0}) {
		t.Errorf("ran %v, want [2 1 0]", got)
	}
	if out.Status != 0 || out.How != "return" || len(g.Chain()) != 0 {
		t.Errorf("outcome %+v, chain %v; want a clean return", out, g.Chain())
	}
}

func TestOpenExitHighToLow(t *testing.T) {
	g := chain.NewG(chain.Options{Trace: true})
	var got []int
	g.Run(func() {
		g.Call("main.f", true, func(f *chain.Frame) {
			for i := range 3 {
				if err := g.OpenDefer(f, i, "site", func() { got = append(got, i) }); err != nil {
					t.Fatal(err)
				}
			}
			if f.Bits != 0b111 {
				t.Errorf("deferBits %08b, want 00000111", f.Bits)
			}
			if len(g.Chain()) != 0 {
				t.Errorf("open-coded defers put records on the chain: %v", g.Chain())
			}
		})
	})
	if !slices.Equal(got, []int{2, 1, 0}) {
		t.Errorf("ran %v, want [2 1 0]", got)
	}
	var transitions []string
	for _, e := range g.Events() {
		if e.Kind == chain.EvOpenExit {
			transitions = append(transitions, fmt.Sprintf("%03b>%03b", e.BitsBefore, e.BitsAfter))
		}
	}
	if want := []string{"111>011", "011>001", "001>000"}; !slices.Equal(transitions, want) {
		t.Errorf("exit bit transitions %v, want %v (each bit cleared before its call)", transitions, want)
	}
}

func TestOpenBitSkipped(t *testing.T) {
	g := chain.NewG(chain.Options{})
	var got []int
	g.Run(func() {
		g.Call("main.f", true, func(f *chain.Frame) {
			g.OpenDefer(f, 0, "a", func() { got = append(got, 0) })
			// slot 1's defer statement is not executed (an if not taken)
			g.OpenDefer(f, 2, "c", func() { got = append(got, 2) })
			if f.Bits != 0b101 {
				t.Errorf("deferBits %08b, want 00000101", f.Bits)
			}
		})
	})
	if !slices.Equal(got, []int{2, 0}) {
		t.Errorf("ran %v, want [2 0]", got)
	}
}

func TestOpenDeferRejectsBadInput(t *testing.T) {
	g := chain.NewG(chain.Options{})
	g.Run(func() {
		g.Call("main.linked", false, func(f *chain.Frame) {
			if err := g.OpenDefer(f, 0, "x", func() {}); err == nil || !strings.Contains(err.Error(), "not open-coded") {
				t.Errorf("OpenDefer on a linked frame: %v, want an error", err)
			}
		})
		g.Call("main.open", true, func(f *chain.Frame) {
			if err := g.OpenDefer(f, 8, "x", func() {}); err == nil || f.Bits != 0 {
				t.Errorf("OpenDefer slot 8: err %v, bits %08b; want an error and no change", err, f.Bits)
			}
		})
	})
}

// TestPoolRefillAndSpill checks newdefer and popDefer: a per-P pool of 32,
// half moved to the global pool when full, refilled with 16 when empty.
func TestPoolRefillAndSpill(t *testing.T) {
	g := chain.NewG(chain.Options{})
	round := func() {
		g.Call("main.f", false, func(f *chain.Frame) {
			for range 40 {
				g.DeferProc(f, "loop", func() {})
			}
		})
	}
	g.Run(round)
	p := g.Pool()
	want := chain.PoolState{Local: 24, Global: 16, Hits: 0, Refills: 0, Spills: 1, Allocs: 40}
	if p != want {
		t.Errorf("after the first round: %+v, want %+v", p, want)
	}
	g.Run(round)
	p = g.Pool()
	// 24 hits from the per-P pool, a refill of 16 from the global pool,
	// 16 more hits; the 40 frees then spill once more.
	want = chain.PoolState{Local: 24, Global: 16, Hits: 40, Refills: 1, Spills: 2, Allocs: 40}
	if p != want {
		t.Errorf("after the second round: %+v, want %+v", p, want)
	}
}

func TestPanicWalksFrames(t *testing.T) {
	g := chain.NewG(chain.Options{})
	var got []string
	out := g.Run(func() {
		g.Call("main.main", true, func(f *chain.Frame) {
			g.OpenDefer(f, 0, "main", func() { got = append(got, "main open bit 0") })
			g.Call("main.inner", false, func(f *chain.Frame) {
				g.DeferProc(f, "inner", func() { got = append(got, "inner heap record") })
				g.DeferProcStack(f, "inner", func() { got = append(got, "inner stack record") })
				g.Panic("boom", "boom")
			})
			got = append(got, "not reached")
		})
	})
	want := []string{"inner stack record", "inner heap record", "main open bit 0"}
	if !slices.Equal(got, want) {
		t.Errorf("ran %q, want %q", got, want)
	}
	if out.Status != 2 || out.PanicLine() != "panic: boom" {
		t.Errorf("outcome %+v, want status 2 and panic: boom", out)
	}
}

func TestRecoverResumesAtDeferreturn(t *testing.T) {
	g := chain.NewG(chain.Options{})
	var got []string
	var recovered any
	out := g.Run(func() {
		g.Call("main.main", false, func(f *chain.Frame) {
			g.Call("main.f", false, func(f *chain.Frame) {
				g.DeferProcStack(f, "first", func() { got = append(got, "first defer (runs after recovery)") })
				g.DeferProcStack(f, "second", func() {
					g.Call("main.f.func1", false, func(df *chain.Frame) {
						recovered, _ = g.Recover(df)
					})
				})
				g.Panic("p", "p")
			})
			got = append(got, "main continues")
		})
	})
	if recovered != "p" {
		t.Errorf("recover returned %v, want p", recovered)
	}
	want := []string{"first defer (runs after recovery)", "main continues"}
	if !slices.Equal(got, want) || out.Status != 0 {
		t.Errorf("ran %q (status %d), want %q and status 0", got, out.Status, want)
	}
}

func TestRecoverOnlyDirect(t *testing.T) {
	g := chain.NewG(chain.Options{})
	var direct, nested, outside any
	var ok bool
	out := g.Run(func() {
		g.Call("main.main", false, func(f *chain.Frame) {
			outside, _ = g.Recover(f)
			g.DeferProcStack(f, "d", func() {
				g.Call("main.main.func1", false, func(df *chain.Frame) {
					g.Call("main.helper", false, func(hf *chain.Frame) {
						nested, _ = g.Recover(hf)
					})
					direct, ok = g.Recover(df)
				})
			})
			g.Panic("x", "x")
		})
	})
	if outside != nil || nested != nil {
		t.Errorf("recover outside a panic gave %v, from a nested call %v; want nil, nil", outside, nested)
	}
	if direct != "x" || !ok || out.Status != 0 {
		t.Errorf("direct recover gave %v, %v (status %d); want x, true, 0", direct, ok, out.Status)
	}
}

func TestRepanicReport(t *testing.T) {
	g := chain.NewG(chain.Options{})
	out := g.Run(func() {
		g.Call("main.main", false, func(f *chain.Frame) {
			g.DeferProcStack(f, "d", func() {
				g.Call("main.main.func1", false, func(df *chain.Frame) {
					r, _ := g.Recover(df)
					g.Panic(r, "v")
				})
			})
			g.Panic("v", "v")
		})
	})
	if out.PanicLine() != "panic: v [recovered, repanicked]" || out.Status != 2 {
		t.Errorf("outcome %+v", out)
	}
}

func TestExitRunsNothing(t *testing.T) {
	g := chain.NewG(chain.Options{})
	ran := false
	out := g.Run(func() {
		g.Call("main.main", false, func(f *chain.Frame) {
			g.DeferProcStack(f, "d", func() { ran = true })
			g.Exit(3)
		})
	})
	if ran || out.Status != 3 || out.How != "os.Exit" {
		t.Errorf("ran %v, outcome %+v; want no deferred call and status 3", ran, out)
	}
	if got := g.Run(func() { g.Exit(-1) }); got.Status != 255 || g.Depth() != 0 || len(g.Chain()) != 0 {
		t.Errorf("os.Exit(-1) status %d (depth %d, chain %v), want 255 and a fresh goroutine", got.Status, g.Depth(), g.Chain())
	}
}

func TestGoexitRunsAllAndRecoverIsNil(t *testing.T) {
	g := chain.NewG(chain.Options{})
	var got []string
	out := g.Run(func() {
		g.Call("main.main", true, func(f *chain.Frame) {
			g.OpenDefer(f, 0, "d", func() {
				g.Call("main.main.func1", false, func(df *chain.Frame) {
					r, ok := g.Recover(df)
					got = append(got, fmt.Sprint("recover:", r, ok))
				})
			})
			g.Call("main.worker", false, func(f *chain.Frame) {
				g.DeferProcStack(f, "w", func() { got = append(got, "worker") })
				g.Goexit()
			})
		})
	})
	want := []string{"worker", "recover:<nil> false"}
	if !slices.Equal(got, want) {
		t.Errorf("ran %q, want %q", got, want)
	}
	if !strings.HasPrefix(out.Stderr, "fatal error: no goroutines (main called runtime.Goexit) - deadlock!") || out.Status != 2 {
		t.Errorf("outcome %+v", out)
	}
}

func TestEventsAndCosts(t *testing.T) {
	g := chain.NewG(chain.Options{Trace: true})
	g.Run(func() {
		g.Call("main.main", false, func(f *chain.Frame) {
			g.DeferProc(f, "h", func() {})
		})
	})
	var kinds []string
	sum := 0.0
	for i, e := range g.Events() {
		if e.Seq != i+1 {
			t.Errorf("event %d has Seq %d", i, e.Seq)
		}
		kinds = append(kinds, e.Kind.String())
		sum += e.Cost
	}
	want := []string{"call", "newdefer", "deferproc", "deferreturn", "run-defer", "popDefer", "return"}
	if !slices.Equal(kinds, want) {
		t.Errorf("events %v, want %v", kinds, want)
	}
	if sum != g.TotalCost() || sum <= 0 {
		t.Errorf("costs sum to %v, TotalCost %v", sum, g.TotalCost())
	}
}

func TestWriteDiagramAndSVG(t *testing.T) {
	g := chain.NewG(chain.Options{Trace: true})
	g.Run(func() {
		g.Call("main.main", true, func(f *chain.Frame) {
			g.OpenDefer(f, 0, "m.go:3:2", func() {})
		})
	})
	var b strings.Builder
	if err := chain.WriteDiagram(&b, g.Events(), chain.DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "deferBits 00000000 -> 00000001 (slot 0)") {
		t.Errorf("diagram lacks the bit change:\n%s", b.String())
	}
	b.Reset()
	if err := chain.WriteSVG(&b, g.Events()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "<svg") || !strings.Contains(b.String(), "00000001") {
		t.Errorf("bad SVG:\n%s", b.String())
	}
}

// TestCallLinkedAlwaysDeferreturns: a function with linked defers calls
// deferreturn at its exit even when none of its defer statements ran,
// as the compiler's exit code does; a function without defers does not.
func TestCallLinkedAlwaysDeferreturns(t *testing.T) {
	g := chain.NewG(chain.Options{Trace: true})
	g.Run(func() {
		g.Call("main.main", false, func(*chain.Frame) {
			g.CallLinked("main.skipped", func(*chain.Frame) {})
			g.Call("main.plain", false, func(*chain.Frame) {})
			g.CallLinked("main.ran", func(f *chain.Frame) {
				g.DeferProc(f, "site", func() {})
			})
		})
	})
	var got []string
	for _, e := range g.Events() {
		if e.Kind == chain.EvDeferReturn || e.Kind == chain.EvRunDefer {
			got = append(got, e.Kind.String()+" "+e.Func)
		}
	}
	want := []string{"deferreturn main.skipped", "deferreturn main.ran", "run-defer main.ran"}
	if !slices.Equal(got, want) {
		t.Errorf("steps %q, want %q", got, want)
	}
}

// TestThrowSteps checks where the model puts the runtime's fatal throws:
// the scheduler's "no goroutines" after main's Goexit in no frame and
// with no list, a panic while the crash report prints a panic value in
// the frame of the method that panicked; neither is a fatalpanic.
func TestThrowSteps(t *testing.T) {
	last := func(g *chain.G) chain.Event {
		ev := g.Events()
		for _, e := range ev {
			if e.Kind == chain.EvCrash {
				t.Errorf("a fatalpanic step in a program that throws: %+v", e)
			}
		}
		return ev[len(ev)-1]
	}
	g := chain.NewG(chain.Options{Trace: true})
	g.Run(func() {
		g.Call("main.main", false, func(f *chain.Frame) {
			g.DeferProcStack(f, "d", func() {})
			g.Goexit()
		})
	})
	if e := last(g); e.Kind != chain.EvThrow || e.Func != "" || e.Frame != 0 || len(e.Chain) != 0 || !strings.Contains(e.Detail, "no goroutines") {
		t.Errorf("main's Goexit ends with %+v, want the scheduler's throw in no frame", e)
	}
	var diagram, svg strings.Builder
	if err := chain.WriteDiagram(&diagram, g.Events(), chain.DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := chain.WriteSVG(&svg, g.Events()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(diagram.String(), "throw           (the scheduler, no goroutine)") || !strings.Contains(svg.String(), " throw</text>") {
		t.Errorf("the renderers do not show the throw:\n%s\n%s", diagram.String(), svg.String())
	}
	var k chain.EventKind
	if b, _ := chain.EvThrow.MarshalText(); k.UnmarshalText(b) != nil || k != chain.EvThrow {
		t.Errorf("the throw kind does not round-trip through JSON: %q", b)
	}

	var p *chain.G
	p = chain.NewG(chain.Options{Trace: true, Describe: func(any) string {
		p.Call("main.e.Error", false, func(*chain.Frame) { p.Panic("inner", "inner") })
		return "never"
	}})
	out := p.Run(func() {
		p.Call("main.main", false, func(f *chain.Frame) {
			p.DeferProcStack(f, "d", func() {})
			p.Panic("outer", "outer")
		})
	})
	if e := last(p); e.Kind != chain.EvThrow || e.Func != "main.e.Error" || e.Depth != 1 {
		t.Errorf("a panicking Error method ends with %+v, want a throw in main.e.Error at depth 1", e)
	}
	if !strings.HasPrefix(out.Stderr, "fatal error: panic while printing panic value: inner") {
		t.Errorf("stderr %q", out.Stderr)
	}

	// A goroutine's own throw (sync's misuse checks) is in its frame;
	// the caller ends the program.
	s := chain.NewG(chain.Options{Trace: true})
	s.Run(func() {
		s.Call("main.main", false, func(*chain.Frame) { s.Throw("sync: unlock of unlocked mutex") })
	})
	if e := s.Events()[1]; e.Kind != chain.EvThrow || e.Func != "main.main" {
		t.Errorf("Throw records %+v, want a throw in main.main", e)
	}
}
