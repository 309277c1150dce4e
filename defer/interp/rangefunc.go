package interp

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/strategy"
)

// Range over a function (Go 1.23), as cmd/compile/internal/rangefunc
// rewrites it: the body becomes the yield function, its own frame, that
// the iterator calls; break, continue, return and goto out of the body
// make yield return false and take effect once the iterator returns. A
// state variable catches iterators that break the protocol, with the
// runtime's panicrangestate errors. A defer in the body belongs to the
// function that holds the loop: the loop's start calls deferrangefunc,
// each defer statement deferprocat, and that function's exit splices
// the body's deferred calls into its chain (deferconvert).

// The states of a loop (internal/abi RF_*).
type rangeState int

const (
	rfReady     rangeState = iota // yield may be called
	rfPanic                       // the body is running, or panicked
	rfDone                        // the body said stop
	rfExhausted                   // the iterator returned
)

// unsetResult marks a result the body's return did not assign.
var unsetResult = &struct{ byte }{}

func (fr *frame) rangeFunc(s *ast.RangeStmt, iter *funcValue, label string) ctl {
	in := fr.in
	if iter == nil {
		fr.nilDeref()
	}
	loop, loopCF := fr.loop, fr.loopCF
	if loop == nil && bodyDefers(s.Body) {
		loopCF = fr.cf
		loop = in.g.DeferRangeFunc(fr.cf, in.p.Fset.Position(s.Pos()).String())
	}
	name := in.rangeBodyName(fr, s)
	state := rfReady
	var exit ctl
	// The body's return assigns these; the function returns them after
	// the iterator does.
	results := make([]*cell, len(fr.results))
	for i := range results {
		results[i] = &cell{unsetResult}
	}
	yield := &funcValue{name: name, native: func(args []any) []any {
		more := true
		call := func(body func(*chain.Frame)) { in.g.Call(name, false, body) }
		if in.p.bodyOwnsDefer(s.Body) {
			call = func(body func(*chain.Frame)) { in.g.CallLinked(name, body) }
		}
		call(func(cf *chain.Frame) {
			body := &frame{in: in, env: fr.env, results: results, cf: cf, fn: fr.fn, sig: fr.sig, loop: loop, loopCF: loopCF}
			// The body function checks the state first, so these panics
			// are raised in its frame (rangefunc/rewrite.go: if #state
			// != abi.RF_READY { runtime.panicrangestate(#state) }).
			switch state {
			case rfDone:
				body.runtimeError("range function continued iteration after function for loop body returned false", false)
			case rfPanic:
				body.runtimeError("range function continued iteration after loop body panic", false)
			case rfExhausted:
				body.runtimeError("range function continued iteration after whole loop exit", false)
			}
			in.step(s)
			if s.Key != nil && len(args) > 0 {
				body.rangeVar(s, s.Key, args[0])
			}
			if s.Value != nil && len(args) > 1 {
				body.rangeVar(s, s.Value, args[1])
			}
			state = rfPanic
			c := body.execList(s.Body.List)
			state = rfReady
			if stop, out := loopCtl(c, label); stop {
				state, exit, more = rfDone, out, false
			}
		})
		return []any{more}
	}}
	in.call(iter, []any{yield})
	if state == rfPanic {
		fr.runtimeError("range function recovered a loop body panic and did not resume panicking", false)
	}
	state = rfExhausted
	if exit.kind == ctlReturn {
		for i, c := range results {
			if c.v != unsetResult {
				fr.results[i].v = c.v
			}
		}
	}
	return exit
}

// bodyDefers reports whether a loop body has a defer statement of its
// own (not one inside a function literal).
func bodyDefers(b *ast.BlockStmt) bool {
	found := false
	ast.Inspect(b, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			found = true
		}
		return !found
	})
	return found
}

// bodyOwnsDefer reports whether the function the compiler makes of a
// loop body has a defer statement that it compiles (deferprocat): one of
// the body's own, not in a function literal nor in the body of an inner
// range-over-func loop, which is a function of its own. walk marks that
// function HasDefer, so each of its returns calls deferreturn, which
// finds none of its records (they belong to the frame that holds the
// loop).
func (p *Program) bodyOwnsDefer(b *ast.BlockStmt) bool {
	found := false
	ast.Inspect(b, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.RangeStmt:
			if _, ok := p.Info.TypeOf(n.X).Underlying().(*types.Signature); ok {
				return false
			}
		case *ast.DeferStmt:
			if d := p.byStmt[n]; d != nil && d.Kind != strategy.DeadCode {
				found = true
			}
		}
		return !found
	})
	return found
}

// rangeBodyName is the compiler's name for a loop body: main.f-range1,
// numbered in source order within the function, the bodies of nested
// loops included (they count in the function that holds the outermost
// loop), those in its function literals not (ir.closureName counts them
// in the literal).
func (in *interp) rangeBodyName(fr *frame, s *ast.RangeStmt) string {
	n := slices.Index(in.p.rangeLoops(fr.fn), s) + 1
	return fmt.Sprintf("%s-range%d", in.p.names[fr.fn], n)
}

// rangeLoops returns the range-over-func loops of the function fn (a
// declaration or a literal) in source order, those of its loop bodies
// included and those of its function literals not: the loop whose body
// is fn-rangeN is the Nth.
func (p *Program) rangeLoops(fn ast.Node) []*ast.RangeStmt {
	var loops []*ast.RangeStmt
	ast.Inspect(fn, func(x ast.Node) bool {
		if _, ok := x.(*ast.FuncLit); ok && x != fn {
			return false
		}
		if r, ok := x.(*ast.RangeStmt); ok {
			if _, ok := p.Info.TypeOf(r.X).Underlying().(*types.Signature); ok {
				loops = append(loops, r)
			}
		}
		return true
	})
	return loops
}
