package difftest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/defer/realtrace"
)

// A RealTrace is one program run on the model (with its events) and
// traced on the real runtime (package defer/realtrace), compared step by
// step.
type RealTrace struct {
	Program Program
	Diff    TraceDiff
	// Output lists how stdout and the exit status differ (nil when they
	// agree).
	Output []string
	// Limit is not empty when the difference is a known limit of the
	// comparison rather than a wrong model or a wrong tracer: it says
	// which.
	Limit string
}

// Agrees reports whether the model and the real runtime took the same
// steps and printed and exited alike.
func (t RealTrace) Agrees() bool { return t.Diff.First < 0 && t.Output == nil }

// TraceBoth runs p on the model with its events and under the real
// runtime's tracer, and compares them. The real frames of closures that
// the inliner copied into a caller are compared under the model's name
// of their literal (see inlinedNames; TraceDiff.Renamed lists them). An error matching
// realtrace.ErrUnavailable means the tracer cannot work here.
func TraceBoth(ctx context.Context, p Program, opts realtrace.Options) (RealTrace, error) {
	prog, err := interp.Load(p.Name, p.Src, nil)
	if err != nil {
		return RealTrace{}, fmt.Errorf("%s: the model cannot load it: %w", p.Name, err)
	}
	model, err := prog.Run(interp.Options{Trace: true})
	if err != nil {
		return RealTrace{}, fmt.Errorf("%s: the model failed: %w", p.Name, err)
	}
	real, err := realtrace.Trace(ctx, p.Src, opts)
	if err != nil {
		return RealTrace{}, fmt.Errorf("%s: %w", p.Name, err)
	}
	if real.TimedOut || real.Truncated {
		return RealTrace{}, fmt.Errorf("%s: the traced run hit a limit (timed out %v, truncated %v)", p.Name, real.TimedOut, real.Truncated)
	}
	renames := inlinedNames(prog.FuncLines(), real.FuncLines)
	events := slices.Clone(real.Events)
	for i := range events {
		if m, ok := renames[events[i].Func]; ok {
			events[i].Func = m
		}
		// defer recover(): recover has a result, so the compiler defers
		// a wrapper, F.deferwrapN, that calls it (typecheck's
		// normalizeGoDeferCall); gorecover skips wrapper frames when it
		// decides. The model has no frame for the wrapper and reports
		// the recover in F, the frame that deferred it.
		if m := deferWrap.FindStringSubmatch(events[i].Func); m != nil && events[i].Kind == chain.EvRecover {
			events[i].Func, events[i].Depth = m[1], events[i].Depth-1
		}
	}
	t := RealTrace{Program: p, Diff: CompareEvents(model.Events, events)}
	for r, m := range renames {
		t.Diff.Renamed = append(t.Diff.Renamed, r+" = "+m)
	}
	slices.Sort(t.Diff.Renamed)
	if real.Stdout != model.Stdout {
		t.Output = append(t.Output, fmt.Sprintf("stdout differs:\n--- real\n%s--- model\n%s", real.Stdout, model.Stdout))
	}
	if real.Status != model.Status {
		t.Output = append(t.Output, fmt.Sprintf("exit status differs: real %d, model %d", real.Status, model.Status))
	}
	t.Limit = knownLimit(t)
	return t, nil
}

var deferWrap = regexp.MustCompile(`^(main\..*)\.deferwrap[0-9]+$`)

// inlinedNames maps the real runtime's name of each closure that the
// compiler compiled into the caller of an inlined function onto the
// model's name of the same literal. The inliner copies the callee's
// body, literals included, into each caller, and ir.closureName names a
// copy after the caller, the inlined calls and the caller's count of
// closures (main.f2.seq.func10, main.main.recoverer.func6), where the
// model, which inlines nothing, has the literal's own name
// (main.seq.func1). The line of the copy's func keyword is the
// literal's, and a range-over-func body's copy starts on its loop's for
// keyword (main.f3.f3.func1.func7-range1 for main.f3.func1.1-range1): a
// real name the model does not know is mapped when exactly one function
// of the model starts on that line and the real name has that
// function's declaring function as a component.
func inlinedNames(model, real map[string]int) map[string]string {
	byLine := map[int][]string{}
	for name, line := range model {
		byLine[line] = append(byLine[line], name)
	}
	out := map[string]string{}
	for name, line := range real {
		if _, ok := model[name]; ok {
			continue
		}
		cands := byLine[line]
		if len(cands) != 1 {
			continue
		}
		decl, _, ok := strings.Cut(strings.TrimPrefix(cands[0], "main."), ".func")
		if ok && strings.Contains(name, "."+decl+".") {
			out[name] = cands[0]
		}
	}
	return out
}

// knownLimit names the known limit that explains a difference, or
// returns "".
func knownLimit(t RealTrace) string {
	d := t.Diff
	if t.Output != nil || d.First < 0 {
		return ""
	}
	// A defer statement right before an exit, whose bit the compiler
	// knows is set there, can leave no deferBits store at all: the
	// stores after the statements are dead, and the exit clears the
	// bit of a slot no store ever set and calls its function directly
	// (seed 15 of the generator: MOVB $0x1f for slots 4 and 5 set and
	// 5 cleared, then CALL main.f3.func1.4). The tracer, which watches
	// stores, then sees neither that slot's open-defer nor its
	// open-exit, and takes the bits the exit's store keeps for new ones.
	// Goroutines that run at the same time: the real scheduler and the
	// model's interleave their steps in other orders (and so number
	// them otherwise by first step), but each goroutine's own steps are
	// its own order, which both must agree on.
	if perGoroutine(d.Model) == perGoroutine(d.Real) {
		return "goroutines interleave in another order; each goroutine's own steps agree"
	}
	if n, ok := foldedExits(d.Model, d.Real); ok {
		return fmt.Sprintf("%d open-coded defers folded into their exit: the compiler left no deferBits store for the tracer to watch", n)
	}
	return ""
}

// perGoroutine is the steps of each goroutine, one goroutine a block
// with its goroutine number left out, the main goroutine's first and
// the others' sorted.
func perGoroutine(steps []Step) string {
	byG := map[int][]string{}
	for _, s := range steps {
		g := s.G
		s.G = 0
		byG[g] = append(byG[g], s.String())
	}
	var others []string
	for g, l := range byG {
		if g != 0 {
			others = append(others, strings.Join(l, "\n"))
		}
	}
	slices.Sort(others)
	return strings.Join(append([]string{strings.Join(byG[0], "\n")}, others...), "\n--\n")
}

// foldedExits reports whether the model's steps become the real
// runtime's once some open-defer steps immediately followed by the
// open-exit of the same slot and frame, which leave deferBits as they
// were, are left out of the model's, and how many were.
func foldedExits(model, real []Step) (int, bool) {
	n, i, j := 0, 0, 0
	for i < len(model) || j < len(real) {
		if i < len(model) && j < len(real) && stepDiffs(model[i], real[j]) == nil {
			i, j = i+1, j+1
			continue
		}
		if i+1 < len(model) && foldedPair(model[i], model[i+1]) {
			i, n = i+2, n+1
			continue
		}
		return n, false
	}
	return n, n > 0
}

func foldedPair(def, exit Step) bool {
	return def.Kind == chain.EvOpenDefer && exit.Kind == chain.EvOpenExit && def.Slot == exit.Slot &&
		def.Func == exit.Func && def.Depth == exit.Depth && def.G == exit.G && def.Bits&^(1<<def.Slot) == exit.Bits
}

// realOptions bound the traced runs of [CompareReal] and [ShrinkReal]:
// the tracer's default of 100,000 records is too few for the largest
// generated programs (seed 707 takes about 90,000 steps of package main
// alone, and the library's defers add their records), so they may write
// ten times as many (48 bytes each).
var realOptions = realtrace.Options{MaxEvents: 1_000_000}

// RealConfig says what [CompareReal] does.
type RealConfig struct {
	Parallel int // programs traced at once (default 2)
	// Shrink makes CompareReal shrink each divergence that no known
	// limit explains (a few dozen more traced builds each).
	Shrink bool
	// Log, if set, receives a line per program.
	Log io.Writer
}

// A RealReport is the result of [CompareReal].
type RealReport struct {
	Programs int
	Agree    int
	Steps    int // steps compared on the programs that agree
	// Limits are the differences that a known limit explains.
	Limits []RealTrace
	// Divergences are the others, each with a smaller program that
	// still diverges the same way when Shrink found one.
	Divergences []RealDivergence
}

// A RealDivergence is a program on which the model's steps and the real
// runtime's differ for no known reason.
type RealDivergence struct {
	RealTrace
	Shrunk *Program
}

func (d RealDivergence) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:", d.Program.Name)
	if d.Diff.First >= 0 {
		fmt.Fprintf(&b, "\n  step %d: %s", d.Diff.First, strings.Join(d.Diff.Diffs, "; "))
	}
	for _, o := range d.Output {
		fmt.Fprintf(&b, "\n  %s", o)
	}
	return b.String()
}

// Summary is the last line of a run.
func (r RealReport) Summary() string {
	return fmt.Sprintf("real-runtime traces: %d of %d programs agree, %d differ by a known limit, %d diverge",
		r.Agree, r.Programs, len(r.Limits), len(r.Divergences))
}

// CompareReal traces every program on the model and on the real runtime
// and sorts them into those that agree, those that a known limit
// explains and the divergences. It stops at the first error (the tracer
// unavailable, a program the model cannot run, a limit hit).
func CompareReal(ctx context.Context, progs []Program, cfg RealConfig) (RealReport, error) {
	if cfg.Parallel <= 0 {
		cfg.Parallel = 2
	}
	traces := make([]RealTrace, len(progs))
	errs := make([]error, len(progs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, cfg.Parallel)
	var wg sync.WaitGroup
	var logMu sync.Mutex
	for i, p := range progs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			traces[i], errs[i] = TraceBoth(ctx, p, realOptions)
			if errs[i] != nil {
				cancel()
				return
			}
			if cfg.Log != nil {
				state := "agree"
				switch {
				case traces[i].Limit != "":
					state = "known limit: " + traces[i].Limit
				case !traces[i].Agrees():
					state = "DIVERGE"
				}
				logMu.Lock()
				fmt.Fprintf(cfg.Log, "%s: %d model steps, %d real: %s\n", p.Name, len(traces[i].Diff.Model), len(traces[i].Diff.Real), state)
				logMu.Unlock()
			}
		}()
	}
	wg.Wait()
	var rep RealReport
	for i := range progs {
		if errs[i] != nil && !errors.Is(errs[i], context.Canceled) {
			return rep, errs[i]
		}
	}
	if err := errors.Join(errs...); err != nil {
		return rep, err
	}
	for _, t := range traces {
		rep.Programs++
		switch {
		case t.Agrees():
			rep.Agree++
			rep.Steps += len(t.Diff.Real)
		case t.Limit != "":
			rep.Limits = append(rep.Limits, t)
		default:
			d := RealDivergence{RealTrace: t}
			if cfg.Shrink {
				if small, err := ShrinkReal(ctx, t); err == nil && len(small.Src) < len(t.Program.Src) {
					d.Shrunk = &small
				}
			}
			rep.Divergences = append(rep.Divergences, d)
		}
	}
	return rep, nil
}

// maxRealShrinkTraces bounds the traced builds of one [ShrinkReal].
const maxRealShrinkTraces = 120

// ShrinkReal returns a smaller program whose model and real traces still
// differ the same way as t's (the same fields differ at the first
// difference, or the output still differs). Each round deletes one
// statement or function in every way that still type-checks and keeps
// the smallest deletion that still diverges, trying the smallest first,
// one traced build each; it stops when none does, or after
// maxRealShrinkTraces builds.
func ShrinkReal(ctx context.Context, t RealTrace) (Program, error) {
	want := signature(t)
	cur := t.Program
	tries := 0
	for tries < maxRealShrinkTraces {
		cands := deletions(cur)
		slices.SortStableFunc(cands, func(a, b Program) int { return len(a.Src) - len(b.Src) })
		found := false
		for _, c := range cands {
			if tries >= maxRealShrinkTraces {
				break
			}
			tries++
			ct, err := TraceBoth(ctx, c, realOptions)
			if errors.Is(err, realtrace.ErrUnavailable) || ctx.Err() != nil {
				return cur, err
			}
			if err != nil || signature(ct) != want {
				continue
			}
			cur, found = c, true
			break
		}
		if !found {
			break
		}
	}
	cur.Name = t.Program.Name + "-shrunk"
	return cur, nil
}

// signature is what makes two differences the same for ShrinkReal: the
// fields that differ at the first differing step, and whether the output
// differs.
func signature(t RealTrace) string {
	if t.Agrees() {
		return ""
	}
	var fields []string
	for _, d := range t.Diff.Diffs {
		f, _, _ := strings.Cut(d, ":")
		fields = append(fields, f)
	}
	return fmt.Sprintf("%v output %v", fields, t.Output != nil)
}
