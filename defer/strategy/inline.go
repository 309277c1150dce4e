package strategy

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Inlining matters to defers because escape analysis runs after it and
// walks an inlined body in the caller's frame without restoring the loop
// depth at its end (escape/call.go, OINLCALL: e.stmts(call.Body)): a
// looping label in an inlined callee makes the caller's later defers in
// the same if/for/switch/case body heap-allocated, as if the label were
// the caller's own.
//
// The model inlines three kinds of calls, in the caller and, recursively,
// in the bodies it inlines:
//
//   - function literals called on the spot, func(...) { ... }(...): such
//     a closure has one use, so it may cost up to
//     inlineClosureCalledOnceCost = 800 (inline/inl.go inlineCostOK;
//     interleaved/interleaved.go passes closureCalledOnce for a closure
//     with one use);
//   - calls through a local variable initialized with a literal and
//     never assigned again nor addressed (f := func() {...}; f()), in
//     the function that declares it: 800 when the package has one call
//     of f, else 2*80 (boundCall);
//   - static calls of the package's own functions and methods that cost
//     at most inlineMaxBudget = 80.
//
// All costs are estimates (costWalk). On 200 programs of package
// defer/difftest (seeds 9000-9199) they equalled the compiler's
// -gcflags=-m=2 cost for 2426 of 2605 functions and closures, were
// within 4% of it for every one that costs over 100, and put none on the
// wrong side of 80, 160 or 800 (TestInlineCosts checks 20 of them). Not
// modelled, so taken as not inlined: functions of other packages (the
// model sees one package's source), calls of a bound literal from a
// closure inside the declaring function, method values, generic
// functions, PGO, and the reduced budget of 20 inside functions of over
// 5000 nodes.
const closureCalledOnceCost = 800

// inlinedLit reports whether the compiler inlines the call of lit, a
// function literal called on the spot by call (not by go or defer, which
// the walker keeps apart). The literal must not contain what the inliner
// refuses (inline/inl.go hairyVisitor: defer, go, recover, and here also
// a range-over-func loop, whose body is a closure this model does not
// follow) outside its own nested literals, and its estimated cost must be
// within the budget; see closureCost for how exact that is.
func (w *walker) inlinedLit(call *ast.CallExpr, lit *ast.FuncLit) bool {
	if w.d.cfg.NoInline || lit.Body == nil {
		return false
	}
	c, ok := w.d.closureCost(lit)
	return ok && c <= closureCalledOnceCost
}

// closureCost estimates the inliner's cost of lit (hairyVisitor: about
// one per IR node, plus the cost of each inlinable callee or
// inlineExtraCallCost = 57 for a call that is not inlined), and reports
// false when lit cannot be inlined at all. The estimate counts syntax
// nodes, which is close to the compiler's IR nodes for plain statements
// but not exact: some conversions and temporaries are guessed, and
// callees of other packages are charged 57 unless knownCosts has them.
func (d *decider) closureCost(lit *ast.FuncLit) (int, bool) {
	if d.costs == nil {
		d.costs = map[ast.Node]litCost{}
	}
	if c, ok := d.costs[lit]; ok {
		return c.cost, c.ok
	}
	cw := &costWalk{d: d, ok: true}
	cw.visit(lit.Body)
	d.costs[lit] = litCost{cw.cost, cw.ok}
	return cw.cost, cw.ok
}

// A costWalk adds up the estimated inlining cost of the nodes it visits;
// ok turns false at what the inliner refuses.
type costWalk struct {
	d    *decider
	cost int
	ok   bool
}

func (cw *costWalk) visit(root ast.Node) {
	d := cw.d
	ast.Inspect(root, func(n ast.Node) bool {
		if !cw.ok || n == nil {
			return false
		}
		switch x := n.(type) {
		case *ast.FuncLit:
			cw.cost += 16 // OCLOSURE: 15, plus the node; its body is its own
			return false
		case *ast.SelectorExpr:
			if id, isID := x.X.(*ast.Ident); isID && d.isPkgName(id) {
				cw.cost++ // pkg.Name: one node
				return false
			}
		case *ast.DeferStmt, *ast.GoStmt:
			cw.ok = false
			return false
		case *ast.BranchStmt:
			cw.cost++ // OGOTO, OBREAK...: the label is not a node
			return false
		case *ast.CompositeLit:
			if tv, has := d.info.Types[x]; has && tv.Type != nil {
				if _, isStruct := tv.Type.Underlying().(*types.Struct); isStruct {
					// OSTRUCTLIT, and an OSTRUCTKEY per element: the
					// type and the field names are not nodes.
					cw.cost++
					for _, el := range x.Elts {
						cw.cost++
						if kv, isKV := el.(*ast.KeyValueExpr); isKV {
							el = kv.Value
						}
						cw.visit(el)
					}
					return false
				}
				if _, isSlice := tv.Type.Underlying().(*types.Slice); isSlice {
					cw.cost += 2 // OSLICELIT and its type, counted once
					for _, el := range x.Elts {
						cw.visit(el)
					}
					return false
				}
			}
		case *ast.ValueSpec:
			// var x T: the names and values; the type is not a node.
			cw.cost += nodeCost(x)
			for _, n := range x.Names {
				cw.visit(n)
			}
			for _, v := range x.Values {
				cw.visit(v)
			}
			return false
		case *ast.LabeledStmt:
			cw.cost++ // OLABEL
			cw.visit(x.Stmt)
			return false
		case *ast.RangeStmt:
			if tv, has := d.info.Types[x.X]; has && tv.Type != nil {
				if _, isSig := tv.Type.Underlying().(*types.Signature); isSig {
					cw.ok = false
					return false
				}
			}
			// Each iteration's own copy of the variables (Go 1.22):
			// two nodes for the key, one for the value (measured
			// with -m=2).
			if id, isID := x.Key.(*ast.Ident); isID && id.Name != "_" {
				cw.cost += 2
			}
			if id, isID := x.Value.(*ast.Ident); isID && id.Name != "_" {
				cw.cost++
			}
		case *ast.CallExpr:
			switch d.callKind(x) {
			case callRecover:
				cw.ok = false
				return false
			case callLit:
				lit := ast.Unparen(x.Fun).(*ast.FuncLit)
				// A literal called inside a literal: inlined into it
				// when it costs at most 2*80 (that it is called once
				// is not known while the outer literal's cost is
				// computed: inline/inl.go hairyVisitor).
				if c, ok := d.closureCost(lit); ok && c <= 2*80 {
					cw.cost += c + 1
				} else {
					cw.cost += inlineExtraCallCost + 1
				}
				cw.cost += 16 // the closure itself
				cw.args(x)
				return false
			case callPanic:
				cw.cost += 2 // OPANIC and inlineExtraPanicCost
				if len(x.Args) == 1 {
					a := x.Args[0]
					if tv, has := d.info.Types[a]; has && tv.Value == nil && tv.Type != nil && !types.IsInterface(tv.Type) {
						cw.cost++ // the conversion to any
					}
					cw.visit(a)
				}
				return false
			case callOther:
				if b := d.boundOf(x); b != nil {
					// Through a variable bound to a literal: inlined when
					// it costs at most 2*80, whatever its number of calls.
					if c, ok := d.closureCost(b.lit); ok && c <= 2*inlineMaxBudget {
						cw.cost += 1 + c
					} else {
						cw.cost += 1 + inlineExtraCallCost
					}
					cw.visit(x.Fun)
					cw.args(x)
					return false
				}
				cw.cost += 1 + d.calleeCost(x)
				cw.visit(x.Fun)
				cw.args(x)
				return false
			}
		}
		cw.cost += nodeCost(n)
		return true
	})
}

// args adds the cost of call's arguments: their nodes, one conversion
// node for each non-interface value passed as an interface, and the
// implicit slice of a variadic call.
func (cw *costWalk) args(call *ast.CallExpr) {
	var sig *types.Signature
	if tv, ok := cw.d.info.Types[call.Fun]; ok && tv.Type != nil {
		sig, _ = tv.Type.Underlying().(*types.Signature)
	}
	for i, a := range call.Args {
		cw.visit(a)
		if sig == nil {
			continue
		}
		var pt types.Type
		switch {
		case sig.Variadic() && i >= sig.Params().Len()-1 && !call.Ellipsis.IsValid():
			if sl, ok := sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice); ok {
				pt = sl.Elem()
			}
		case i < sig.Params().Len():
			pt = sig.Params().At(i).Type()
		}
		if pt != nil && types.IsInterface(pt) {
			if tv, ok := cw.d.info.Types[a]; ok && tv.Type != nil && !types.IsInterface(tv.Type) {
				cw.cost++
			}
		}
	}
	if sig != nil && sig.Variadic() && !call.Ellipsis.IsValid() && len(call.Args) >= sig.Params().Len() {
		cw.cost++ // the slice literal
	}
}

func (d *decider) isPkgName(id *ast.Ident) bool {
	_, ok := d.info.Uses[id].(*types.PkgName)
	return ok
}

// inlineMaxBudget is the most a named function may cost to be inlined
// (inline/inl.go; PGO and functions of over 5000 nodes, which get 20,
// are not modelled).
const inlineMaxBudget = 80

// declCost estimates the inlining cost of a function or method declared
// in the package, like closureCost, and reports false when the inliner
// refuses it whatever its cost: it defers, starts goroutines, recovers,
// has a range-over-func loop, a pragma that forbids inlining
// (inline/inl.go InlineImpossible), type parameters (not modelled), or
// calls itself on the way (a cycle is charged as a call not inlined).
func (d *decider) declCost(fd *ast.FuncDecl) (int, bool) {
	if d.costs == nil {
		d.costs = map[ast.Node]litCost{}
	}
	if c, ok := d.costs[fd]; ok {
		return c.cost, c.ok
	}
	d.costs[fd] = litCost{0, false} // in progress: a cycle is not inlined
	ok := fd.Body != nil && fd.Type.TypeParams == nil && !genericRecv(fd)
	for _, p := range []string{"//go:noinline", "//go:cgo_unsafe_args", "//go:uintptrkeepalive", "//go:uintptrescapes", "//go:yeswritebarrierrec"} {
		if hasPragma(fd, p) {
			ok = false
		}
	}
	if d.cfg.Race && hasPragma(fd, "//go:norace") {
		ok = false
	}
	cost := 0
	if ok {
		cw := &costWalk{d: d, ok: true}
		cw.visit(fd.Body)
		cost, ok = cw.cost, cw.ok
	}
	d.costs[fd] = litCost{cost, ok}
	return cost, ok
}

func genericRecv(fd *ast.FuncDecl) bool {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return false
	}
	t := fd.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	switch t.(type) {
	case *ast.IndexExpr, *ast.IndexListExpr:
		return true
	}
	return false
}

// callee returns the declaration of the package's own function or
// method that call calls statically, or nil.
func (d *decider) callee(call *ast.CallExpr) *ast.FuncDecl {
	var id *ast.Ident
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		if sel, ok := d.info.Selections[f]; ok {
			if sel.Kind() != types.MethodVal || types.IsInterface(sel.Recv()) {
				return nil
			}
		} else if d.info.Selections != nil && !d.isPkgName(asIdent(f.X)) {
			return nil
		}
		id = f.Sel
	}
	if id == nil {
		return nil
	}
	fn, ok := d.info.Uses[id].(*types.Func)
	if !ok {
		return nil
	}
	return d.decls[fn]
}

func asIdent(e ast.Expr) *ast.Ident {
	id, _ := e.(*ast.Ident)
	return id
}

// inlinedDecl returns the declaration of the package's own function that
// the compiler inlines at call, or nil: a static call of a function
// whose estimated cost (declCost) is within inlineMaxBudget, that is not
// the function being walked or one whose inlined body is being walked.
// The cost is an estimate: a function within a few units of 80 may be
// judged wrongly.
func (w *walker) inlinedDecl(call *ast.CallExpr) *ast.FuncDecl {
	if w.d.cfg.NoInline {
		return nil
	}
	fd := w.d.callee(call)
	if fd == nil || fd.Body == w.fn.body {
		return nil
	}
	for _, b := range w.inlined {
		if b.decl == fd {
			return nil
		}
	}
	if c, ok := w.d.declCost(fd); !ok || c > inlineMaxBudget {
		return nil
	}
	return fd
}

// A boundLit is a function literal that initializes a local variable
// never assigned again nor addressed (f := func() {...}): the inliner
// sees through the variable (ir.StaticValue, ir.Reassigned).
type boundLit struct {
	lit   *ast.FuncLit
	calls int  // call sites f(...) anywhere in the package
	ok    bool // false once f is assigned again or its address taken
}

// findBoundLits fills d.bound from files.
func (d *decider) findBoundLits(files []*ast.File) {
	d.bound = map[*types.Var]*boundLit{}
	spoil := func(e ast.Expr) {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			if v, ok := d.info.Uses[id].(*types.Var); ok {
				if b := d.bound[v]; b != nil {
					b.ok = false
				} else {
					d.bound[v] = &boundLit{}
				}
			}
		}
	}
	define := func(id *ast.Ident, val ast.Expr) {
		lit, isLit := ast.Unparen(val).(*ast.FuncLit)
		if v, ok := d.info.Defs[id].(*types.Var); ok && isLit {
			if b := d.bound[v]; b != nil {
				b.lit = lit // a use was met first (only in broken code)
			} else {
				d.bound[v] = &boundLit{lit: lit, ok: true}
			}
		}
	}
	for _, f := range files {
		if f == nil {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.AssignStmt:
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && x.Tok == token.DEFINE && d.info.Defs[id] != nil {
						if len(x.Lhs) == len(x.Rhs) {
							define(id, x.Rhs[i])
						}
						continue
					}
					spoil(l)
				}
			case *ast.ValueSpec:
				if len(x.Names) == len(x.Values) {
					for i, id := range x.Names {
						define(id, x.Values[i])
					}
				}
			case *ast.UnaryExpr:
				if x.Op == token.AND {
					spoil(x.X)
				}
			case *ast.RangeStmt:
				if x.Tok == token.ASSIGN {
					spoil(x.Key)
					spoil(x.Value)
				}
			case *ast.CallExpr:
				if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok {
					if v, ok := d.info.Uses[id].(*types.Var); ok && d.bound[v] != nil {
						d.bound[v].calls++
					}
				}
			}
			return true
		})
	}
}

// boundCall returns the literal that call calls through a variable bound
// to it, and the budget the inliner gives it: 800 when it is the only
// call, else 2*80 (inline/inl.go inlineCostOK). The call must be in the
// function that declares the variable, or in bodies inlined there; a
// call from a closure inside it is taken as not inlined, which the
// compiler does only when the literal captures variables.
func (w *walker) boundCall(call *ast.CallExpr) (*ast.FuncLit, int) {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return nil, 0
	}
	v, ok := w.d.info.Uses[id].(*types.Var)
	if !ok {
		return nil, 0
	}
	b := w.d.bound[v]
	if b == nil || !b.ok || b.lit == nil || b.lit.Pos() < w.fn.body.Pos() || b.lit.End() > w.fn.body.End() {
		return nil, 0
	}
	if b.calls == 1 {
		return b.lit, closureCalledOnceCost
	}
	return b.lit, 2 * inlineMaxBudget
}

// inlinedBound returns the literal that the compiler inlines at call,
// a call through a variable bound to it (boundCall), or nil.
func (w *walker) inlinedBound(call *ast.CallExpr) *ast.FuncLit {
	if w.d.cfg.NoInline {
		return nil
	}
	lit, budget := w.boundCall(call)
	if lit == nil {
		return nil
	}
	for _, b := range w.inlined {
		if b.pos == lit {
			return nil
		}
	}
	if c, ok := w.d.closureCost(lit); !ok || c > budget {
		return nil
	}
	return lit
}

// inlineExtraCallCost is the inliner's cost of a call it does not inline
// (inline/inl.go).
const inlineExtraCallCost = 57

// calleeCost is what the inliner charges for calling call's function:
// the callee's own inlining cost when the callee is inlinable, else
// inlineExtraCallCost. The model knows the cost of a few functions of
// std (measured with -gcflags=-m=2 on go1.26.8) and takes every other
// callee as not inlinable, which underestimates calls of small
// functions.
// boundOf returns the bound literal that call calls, or nil.
func (d *decider) boundOf(call *ast.CallExpr) *boundLit {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if v, ok := d.info.Uses[id].(*types.Var); ok {
			if b := d.bound[v]; b != nil && b.ok && b.lit != nil {
				return b
			}
		}
	}
	return nil
}

// paramCall reports whether call calls a parameter of the enclosing
// function, which the inliner charges inlineParamCallCost = 17 instead
// of 57 (it may become a constant function once inlined).
func (d *decider) paramCall(call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := d.info.Uses[id].(*types.Var)
	return ok && d.params[v]
}

func (d *decider) calleeCost(call *ast.CallExpr) int {
	if d.paramCall(call) {
		return 17
	}
	if fd := d.callee(call); fd != nil {
		if c, ok := d.declCost(fd); ok && c <= inlineMaxBudget {
			return c
		}
		return inlineExtraCallCost
	}
	var id *ast.Ident
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	}
	if id != nil {
		if fn, ok := d.info.Uses[id].(*types.Func); ok && fn.Pkg() != nil {
			if c, ok := knownCosts[fn.Pkg().Path()+"."+fn.Name()]; ok {
				return c
			}
		}
	}
	return inlineExtraCallCost
}

// knownCosts are inlining costs of std functions, from
// go build -gcflags=-m=2 (go1.26.8): fmt.Println's body is a call of
// Fprintln, fmt.Errorf is just within the budget of 80.
var knownCosts = map[string]int{
	"fmt.Println": 73,
	"fmt.Errorf":  79,
}

type litCost struct {
	cost int
	ok   bool
}

// nodeCost is the estimated number of IR nodes for one syntax node.
func nodeCost(n ast.Node) int {
	switch x := n.(type) {
	case nil, *ast.BlockStmt, *ast.ParenExpr, *ast.ExprStmt, *ast.EmptyStmt,
		*ast.KeyValueExpr, *ast.CommClause, *ast.FieldList, *ast.Field:
		return 0
	case *ast.CaseClause:
		return 1 // OCASE
	case *ast.SelectorExpr:
		return 0 // pkg.Name is one node (the ident); x.f counts its ident
	case *ast.AssignStmt:
		if x.Tok == token.DEFINE {
			return 1 + 2*len(x.Lhs) // OAS plus an ODCL and its name per variable
		}
		if x.Tok != token.ASSIGN {
			return 1 // OASOP
		}
		return 1
	case *ast.IncDecStmt:
		return 2 // OASOP and the constant 1
	case *ast.LabeledStmt:
		return 1
	}
	return 1
}

type callKindT int

const (
	callOther callKindT = iota
	callBuiltin
	callRecover
	callConversion
	callLit
	callPanic
)

func (d *decider) callKind(call *ast.CallExpr) callKindT {
	fun := ast.Unparen(call.Fun)
	if _, ok := fun.(*ast.FuncLit); ok {
		return callLit
	}
	if tv, ok := d.info.Types[fun]; ok && tv.IsType() {
		return callConversion
	}
	var id *ast.Ident
	switch f := fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	}
	if id != nil {
		if b, ok := d.info.Uses[id].(*types.Builtin); ok {
			switch b.Name() {
			case "recover":
				return callRecover
			case "panic":
				return callPanic
			}
			return callBuiltin
		}
	}
	return callOther
}
