package strategy

import (
	"cmp"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/deferio/deferio/defer/internal/funcname"
)

// A Decision is the strategy predicted for one defer statement.
type Decision struct {
	// Defer is the statement, as found in the files given to [Decide].
	Defer *ast.DeferStmt
	// Pos is where the compiler reports it: the position of the defer
	// keyword, after //line directives, as -gcflags=-d=defer prints it.
	Pos token.Position
	// Kind is the predicted strategy.
	Kind Kind
	// Reasons says why the defer is not open-coded, most specific
	// first; it is empty for an open-coded defer and for dead code.
	Reasons []Reason
	// Func names the function the defer belongs to, for messages: "F",
	// "T.M", or "F.func1" for the first closure in F. A defer in the
	// body of a range-over-func loop names the function that holds the
	// loop, whose frame the deferred call is attached to.
	Func string
}

// Decide predicts, for every defer statement in files, the strategy the
// Go compiler picks (go1.26): open-coded, stack-allocated or
// heap-allocated, or dead code the compiler drops. It is the model behind
// the deferstrategy [Analyzer].
//
// files must be the type-checked files of one package and info their
// type information; Decide reads info.Types (constant conditions and
// range-over-func loops), info.Defs and info.Uses (labels, named
// results, the builtin panic, closures' captured results, and the
// package's import path); Types, Defs and Uses must be non-nil maps.
// info.Selections is used when present (field and method selections on
// named results). Other fields are not used. The package path decides the compiler's
// exemptions (the runtime ignores -N; sync and the runtime are not race
// instrumented).
//
// Decisions are returned in source order. Decide changes nothing in its
// arguments. The error reports unusable input (nil info or fset, a
// missing map, an unknown GOARCH); a package that did not type-check
// fully still gets decisions for what could be analysed.
func Decide(fset *token.FileSet, files []*ast.File, info *types.Info, cfg Config) ([]Decision, error) {
	switch {
	case fset == nil:
		return nil, errors.New("unable to decide defer strategies: nil token.FileSet")
	case info == nil:
		return nil, errors.New("unable to decide defer strategies: nil types.Info")
	case info.Types == nil || info.Defs == nil || info.Uses == nil:
		return nil, errors.New("unable to decide defer strategies: types.Info needs its Types, Defs and Uses maps")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("unable to decide defer strategies: %w", err)
	}
	d := &decider{fset: fset, info: info, cfg: cfg, pkgPath: pkgPathOf(files, info), decls: map[*types.Func]*ast.FuncDecl{}, params: map[*types.Var]bool{}}
	for _, f := range files {
		if f == nil {
			continue
		}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok {
				if fn, ok := info.Defs[fd.Name].(*types.Func); ok {
					d.decls[fn] = fd
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if ft, ok := n.(*ast.FuncType); ok && ft.Params != nil {
				for _, fl := range ft.Params.List {
					for _, id := range fl.Names {
						if v, ok := info.Defs[id].(*types.Var); ok {
							d.params[v] = true
						}
					}
				}
			}
			return true
		})
	}
	d.findBoundLits(files)
	for _, f := range files {
		if f == nil {
			continue
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok {
				// Closures in package-level variable initializers.
				d.findFuncLits(decl, false, topName(decl))
				continue
			}
			if fd.Body == nil {
				continue
			}
			d.funcs = append(d.funcs, &funcUnit{
				name:   funcname.Of(fd),
				typ:    fd.Type,
				body:   fd.Body,
				norace: hasPragma(fd, "//go:norace"),
			})
		}
	}
	for i := 0; i < len(d.funcs); i++ { // analyse appends closures while we go
		d.analyse(d.funcs[i])
	}
	// Which defers are heap-allocated is known before any function is
	// decided: a closure deferred with a heap record escapes, which can
	// move a result of an enclosing function to the heap (resultOnHeap).
	d.heapDefers = map[*ast.DeferStmt]bool{}
	for _, fn := range d.funcs {
		for _, s := range fn.defers {
			if !s.dead && !s.stackEligible() {
				d.heapDefers[s.stmt] = true
			}
		}
	}
	for _, fn := range d.funcs {
		d.decideFunc(fn)
	}
	slices.SortFunc(d.out, func(a, b Decision) int { return cmp.Compare(a.Defer.Pos(), b.Defer.Pos()) })
	return d.out, nil
}

type decider struct {
	fset    *token.FileSet
	info    *types.Info
	cfg     Config
	pkgPath string
	funcs   []*funcUnit
	out     []Decision
	costs   map[ast.Node]litCost          // closureCost's and declCost's memo
	decls   map[*types.Func]*ast.FuncDecl // the package's functions and methods
	params  map[*types.Var]bool           // parameters of the package's functions
	bound   map[*types.Var]*boundLit      // local variables that hold a literal
	// heapDefers holds the live defer statements that are not stack
	// eligible, in every function of the package.
	heapDefers map[*ast.DeferStmt]bool
}

// A funcUnit is one function the compiler compiles: a declared function
// or method, or a function literal.
type funcUnit struct {
	name    string
	typ     *ast.FuncType
	body    *ast.BlockStmt
	norace  bool
	dead    bool // the literal is in dead code: never compiled
	nlits   int  // closures numbered as the compiler does: F.func1, F.func2
	nranges int

	defers []*deferSite
	// returns counts live return statements outside range-over-func
	// bodies, plus one per outermost range-over-func loop whose body
	// returns (its "if #next == -1 { return }" check).
	returns   int
	rangeDefs bool // a defer inside a range-over-func body
}

type deferSite struct {
	stmt   *ast.DeferStmt
	loops  int // enclosing for/range bodies
	labels int // looping labels in effect
	// labelIn names the inlined callee that holds the innermost looping
	// label in effect, or is "".
	labelIn string
	inRange string
	dead    bool
}

func (s *deferSite) stackEligible() bool { return s.loops == 0 && s.labels == 0 && s.inRange == "" }

func (d *decider) analyse(fn *funcUnit) {
	if fn.body == nil {
		return
	}
	w := &walker{d: d, fn: fn, seen: map[labelKey]bool{}, looping: map[labelKey]bool{}}
	// Pass 1: looping labels (escape/escape.go walkFunc), over the code
	// that survives dead-code removal, in source order.
	w.pass = 1
	w.stmts(fn.body.List)
	// Pass 2: loop depths, defers, returns and closures.
	w.pass = 2
	w.nbodies = 0
	w.dead = fn.dead
	w.stmts(fn.body.List)
}

func (d *decider) decideFunc(fn *funcUnit) {
	var live []*deferSite
	for _, s := range fn.defers {
		if s.dead {
			d.emit(fn, s, DeadCode, nil)
			continue
		}
		live = append(live, s)
	}
	if len(live) == 0 {
		return
	}
	// Function-wide reasons that turn open coding off, in the order the
	// compiler checks them (walk, then ssagen buildssa).
	var fnReasons []Reason
	if n := len(live); n > 8 {
		fnReasons = append(fnReasons, Reason{TooManyDefers, fmt.Sprintf("%d defers in %s > 8", n, fn.name)})
	}
	for _, s := range live {
		if !s.stackEligible() {
			fnReasons = append(fnReasons, Reason{OtherDeferNotStack, fmt.Sprintf("the defer at line %d of %s is not stack-allocated", d.fset.Position(s.stmt.Defer).Line, fn.name)})
			break
		}
	}
	if fn.rangeDefs {
		fnReasons = append(fnReasons, Reason{HasRangeFuncDefer, fmt.Sprintf("%s has a range-over-func loop whose body defers (runtime.deferrangefunc)", fn.name)})
	}
	if d.cfg.NoOptimize && !ignoresNoOptimize(d.pkgPath) {
		fnReasons = append(fnReasons, Reason{NoOptimize, "-N disables optimizations"})
	}
	if d.cfg.NoOpenDefer {
		fnReasons = append(fnReasons, Reason{NoOpenDeferFlag, "-d=noopendefer"})
	} else if d.cfg.Shared && d.cfg.goarch() == "386" {
		fnReasons = append(fnReasons, Reason{Shared386, "386 with -shared/-dynlink"})
	}
	if d.cfg.Race && raceFuncs(d.pkgPath) && !fn.norace {
		fnReasons = append(fnReasons, Reason{RaceInstrumented, "-race instruments function entry and exit"})
	}
	if why := d.resultOnHeap(fn); why != "" {
		fnReasons = append(fnReasons, Reason{ResultOnHeap, why})
	}
	if p := fn.returns * len(live); p > 15 {
		fnReasons = append(fnReasons, Reason{TooManyReturns, fmt.Sprintf("%d returns x %d defers = %d > 15", fn.returns, len(live), p)})
	}
	for _, s := range live {
		var own []Reason
		switch {
		case s.inRange != "":
			own = append(own, Reason{RangeFuncBody, fmt.Sprintf("in the body of a range-over-func loop (%s), attached to the outer frame by deferprocat", s.inRange)})
		case s.loops > 0:
			own = append(own, Reason{InLoop, fmt.Sprintf("in a loop (loop depth %d)", 1+s.loops+s.labels)})
		case s.labels > 0 && s.labelIn != "":
			own = append(own, Reason{AfterLoopingLabel, fmt.Sprintf("after a label that a later goto jumps back to, in %s, which the inliner puts here (a loop for escape analysis)", s.labelIn)})
		case s.labels > 0:
			own = append(own, Reason{AfterLoopingLabel, "after a label that a later goto jumps back to (a loop for escape analysis)"})
		}
		switch {
		case len(own) > 0:
			// Its own rule decides; function-wide reasons add nothing
			// but "other defer" noise.
			all := own
			for _, r := range fnReasons {
				if r.Rule != OtherDeferNotStack {
					all = append(all, r)
				}
			}
			d.emit(fn, s, HeapAllocated, all)
		case len(fnReasons) > 0:
			d.emit(fn, s, StackAllocated, fnReasons)
		default:
			d.emit(fn, s, OpenCoded, nil)
		}
	}
}

func (d *decider) emit(fn *funcUnit, s *deferSite, k Kind, reasons []Reason) {
	d.out = append(d.out, Decision{
		Defer:   s.stmt,
		Pos:     d.fset.Position(s.stmt.Defer),
		Kind:    k,
		Reasons: slices.Clone(reasons),
		Func:    fn.name,
	})
}

// pkgPathOf returns the import path of the package files belong to, from
// any object they declare.
func pkgPathOf(files []*ast.File, info *types.Info) string {
	for _, f := range files {
		if f == nil {
			continue
		}
		for _, decl := range f.Decls {
			var id *ast.Ident
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				id = decl.Name
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.ValueSpec:
						if len(spec.Names) > 0 {
							id = spec.Names[0]
						}
					case *ast.TypeSpec:
						id = spec.Name
					}
					if id != nil {
						break
					}
				}
			}
			if id == nil {
				continue
			}
			if obj := info.Defs[id]; obj != nil && obj.Pkg() != nil {
				return obj.Pkg().Path()
			}
		}
	}
	return ""
}

func topName(decl ast.Decl) string {
	if g, ok := decl.(*ast.GenDecl); ok {
		for _, spec := range g.Specs {
			if vs, ok := spec.(*ast.ValueSpec); ok && len(vs.Names) > 0 {
				return vs.Names[0].Name
			}
		}
	}
	return "glob."
}

func hasPragma(fd *ast.FuncDecl, pragma string) bool {
	if fd.Doc == nil {
		return false
	}
	for _, c := range fd.Doc.List {
		if strings.HasPrefix(c.Text, pragma) {
			return true
		}
	}
	return false
}

// findFuncLits registers every function literal in n (without entering
// them) as a function of its own.
func (d *decider) findFuncLits(n ast.Node, dead bool, parent string) {
	ast.Inspect(n, func(n ast.Node) bool {
		lit, ok := n.(*ast.FuncLit)
		if !ok {
			return true
		}
		d.funcs = append(d.funcs, &funcUnit{name: parent + ".func", typ: lit.Type, body: lit.Body, dead: dead})
		return false
	})
}
