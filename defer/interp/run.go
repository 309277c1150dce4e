package interp

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/types"
	"runtime/debug"

	"github.com/deferio/deferio/defer/chain"
)

// Default limits of a run.
const (
	DefaultStepLimit = 10_000_000
	DefaultMaxDepth  = 10_000
)

// maxLen bounds strings and slices: a run that needs more ends with an
// error instead of exhausting memory.
const maxLen = 1 << 22

// Options configure a run.
type Options struct {
	// Trace keeps every event of the model in [Result.Events].
	Trace bool
	// OnEvent, if set, receives each event as it happens.
	OnEvent func(chain.Event)
	// StepLimit bounds the statements and calls executed; 0 means
	// DefaultStepLimit. A run that reaches it ends with an error: the
	// limit is counted in steps, not time, so it is deterministic.
	StepLimit int
	// MaxDepth bounds the call depth; 0 means DefaultMaxDepth.
	MaxDepth int
}

// Result is what a run of the program did.
type Result struct {
	Stdout string
	// Stderr holds what print and println wrote, then the crash report
	// ("panic: ..." or "fatal error: ...") if the program crashed.
	Stderr string
	// Status is the exit status: 0, os.Exit's code, or 2 for a crash.
	Status int
	// How says how the program ended: "return", "os.Exit", "panic" or
	// "Goexit".
	How string
	// PanicLine is the first line of the crash report, or "".
	PanicLine string
	// Events are the model's events (with Options.Trace).
	Events []chain.Event
	// Steps is the number of steps executed.
	Steps int
	// Cost is the total modelled cost of the defer machinery, in ns.
	Cost float64
	// Counts is the number of events of each kind.
	Counts map[chain.EventKind]int
	// Pool is the final state of the record pools.
	Pool chain.PoolState
}

// modelError ends a run with an error (step limit, something the model
// cannot reproduce).
type modelError struct{ err error }

// ErrStepLimit is wrapped by the error of a run that reached its step limit.
var ErrStepLimit = errors.New("step limit reached")

type interp struct {
	p        *Program
	g        *chain.G
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	steps    int
	limit    int
	depth    int
	maxDepth int
	globals  map[*types.Var]*cell
	boxes    map[boxKey]*box
	msets    map[types.Type]*types.MethodSet
	names    map[ast.Node]string
	sched    *scheduler
}

// Run runs the program on a fresh model goroutine. The error reports a
// run the model could not complete (step or depth limit, a value the
// model cannot print as Go does); a program that panics, exits or calls
// Goexit is a normal result.
func (p *Program) Run(opts Options) (res *Result, err error) {
	in := &interp{p: p, limit: opts.StepLimit, maxDepth: opts.MaxDepth,
		globals: map[*types.Var]*cell{}, boxes: map[boxKey]*box{}, msets: map[types.Type]*types.MethodSet{}, names: p.names}
	if in.limit <= 0 {
		in.limit = DefaultStepLimit
	}
	if in.maxDepth <= 0 {
		in.maxDepth = DefaultMaxDepth
	}
	in.g = chain.NewG(chain.Options{Trace: opts.Trace, OnEvent: opts.OnEvent, Describe: in.describe, PrintingPanic: in.printingPanic})
	defer func() {
		if r := recover(); r != nil {
			if me, ok := r.(*modelError); ok {
				res, err = nil, me.err
				return
			}
			res, err = nil, fmt.Errorf("internal error of the interpreter (please report it with the program): %v\n%s", r, debug.Stack())
		}
	}()
	in.sched = newScheduler(in.g)
	out := in.runMain(func() {
		in.g.Call("main.init", false, func(f *chain.Frame) { in.initGlobals(f) })
		mainFn := p.funcs[p.Pkg.Scope().Lookup("main").(*types.Func)]
		in.call(&funcValue{name: "main.main", decl: mainFn}, nil)
	})
	in.g = in.sched.main.g
	res = &Result{Stdout: in.stdout.String(), Stderr: in.stderr.String() + out.Stderr,
		Status: out.Status, How: out.How, PanicLine: out.PanicLine(),
		Events: in.g.Events(), Steps: in.steps, Cost: in.g.TotalCost(), Pool: in.g.Pool(),
		Counts: map[chain.EventKind]int{}}
	for k := chain.EvCall; k <= chain.EvThrow; k++ {
		if n := in.g.Count(k); n > 0 {
			res.Counts[k] = n
		}
	}
	return res, nil
}

func (in *interp) fail(format string, args ...any) {
	panic(&modelError{fmt.Errorf(format, args...)})
}

func (in *interp) step(n ast.Node) {
	in.steps++
	if in.steps > in.limit {
		pos := in.p.Fset.Position(n.Pos())
		panic(&modelError{fmt.Errorf("%w: %d steps at %s (the program may not terminate; raise the limit with Options.StepLimit)", ErrStepLimit, in.limit, pos)})
	}
}

// initGlobals runs the package-level variable initializers in the order
// the type checker computed.
func (in *interp) initGlobals(f *chain.Frame) {
	fr := &frame{in: in, env: map[*types.Var]*cell{}, cf: f}
	for _, obj := range in.p.Pkg.Scope().Names() {
		if v, ok := in.p.Pkg.Scope().Lookup(obj).(*types.Var); ok {
			in.globals[v] = &cell{zero(v.Type())}
		}
	}
	for _, ini := range in.p.Info.InitOrder {
		rhs := []ast.Expr{ini.Rhs}
		vals := fr.evalMulti(rhs, len(ini.Lhs))
		for i, v := range ini.Lhs {
			if v.Name() == "_" {
				continue
			}
			in.globals[v].v = in.convert(vals[i], fr.typeOfValue(rhs, len(ini.Lhs), i), v.Type(), false)
		}
	}
}

// FuncLines returns the compiler's name of each function and function
// literal of the program (as the runtime names its frame when the
// function it is in was not inlined) with the line of its func keyword,
// and of each range-over-func loop body (F-rangeN) with the line of its
// for keyword, where the rewrite (cmd/compile's rangefunc.bodyFunc)
// puts the function it makes of the body.
func (p *Program) FuncLines() map[string]int {
	out := make(map[string]int, len(p.names))
	for n, name := range p.names {
		out[name] = p.Fset.Position(n.Pos()).Line
		for i, r := range p.rangeLoops(n) {
			out[fmt.Sprintf("%s-range%d", name, i+1)] = p.Fset.Position(r.For).Line
		}
	}
	return out
}

// nameFuncs gives closures the names the compiler gives them:
// main.outer.func1, main.outer.func1.1 ...
func (p *Program) nameFuncs() {
	p.names = map[ast.Node]string{}
	for _, d := range p.File.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			// Closures in package-level initializers belong to main.init.
			p.nameLits(d, "main.init", true)
			continue
		}
		if fd.Body == nil {
			continue
		}
		name := "main." + fd.Name.Name
		if fd.Recv != nil {
			name = funcName(p.Info.Defs[fd.Name].(*types.Func))
		}
		p.names[fd] = name
		p.nameLits(fd.Body, name, true)
	}
}

func (p *Program) nameLits(n ast.Node, parent string, top bool) {
	i := 0
	ast.Inspect(n, func(c ast.Node) bool {
		lit, ok := c.(*ast.FuncLit)
		if !ok {
			return true
		}
		i++
		name := fmt.Sprintf("%s.%d", parent, i)
		if top {
			name = fmt.Sprintf("%s.func%d", parent, i)
		}
		p.names[lit] = name
		p.nameLits(lit.Body, name, false)
		return false
	})
}

// describe is the crash report's text for a panic value: the Error or
// String method runs now, as preprintpanics runs it before printing.
func (in *interp) describe(arg any) string {
	text, err := in.panicText(arg, true)
	if err != nil {
		in.fail("%v", err)
	}
	return text
}
