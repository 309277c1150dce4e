package strategy

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/deferio/deferio/defer/internal/funcname"
)

// A walker visits one function's statements the way the compiler's front
// end and escape analysis see them:
//
//   - dead code is skipped as the unified IR writer skips it
//     (cmd/compile/internal/noder/writer.go: stmts, terminates,
//     staticBool, ifStmt, forStmt, switchStmt);
//   - the loop depth rises in for and range bodies and at looping labels,
//     and is restored at the end of if, for, range, switch, select and
//     case bodies but not bare blocks (escape/stmt.go, e.block);
//   - function literals are functions of their own, except those the
//     inliner puts into their caller (see inlinedLit): their bodies are
//     walked in place like a bare block, because escape analysis walks
//     an inlined body without restoring the loop depth (escape/call.go,
//     OINLCALL).
type walker struct {
	d    *decider
	fn   *funcUnit
	pass int // 1: find looping labels; 2: everything else

	dead    bool // inside code the front end drops
	loops   int
	labels  int
	inRange string        // name of the innermost range-over-func body, if any
	inlined []inlinedBody // the inlined bodies we are in, innermost last
	// labelIn[i] is the inlined body that holds the i-th looping label
	// in effect, or nil for fn's own.
	labelIn []*inlinedBody
	nbodies int // inlined bodies met so far in this pass
	// outerRange is the outermost range-over-func loop we are in, and
	// whether its body returned already.
	outerRange *ast.RangeStmt
	rangeRet   bool

	seen    map[labelKey]bool // labels met so far (pass 1)
	looping map[labelKey]bool // labels some later goto jumps back to
}

// labelKey identifies a label: by its object, since an inlined closure's
// labels live in the caller's body beside the caller's own; by name when
// type information is missing.
func (w *walker) labelKey(id *ast.Ident) labelKey {
	k := labelKey{obj: id.Name}
	if n := len(w.inlined); n > 0 {
		k.body = w.inlined[n-1].seq // each inlined copy has labels of its own
	}
	if obj := w.d.info.Defs[id]; obj != nil {
		k.obj = obj
	} else if obj := w.d.info.Uses[id]; obj != nil {
		k.obj = obj
	}
	return k
}

type labelKey struct {
	body int // 0 for fn's own body, else inlinedBody.seq
	obj  any
}

// An inlinedBody is a callee's body that the inliner copies into fn.
type inlinedBody struct {
	seq  int      // 1, 2, ... in walk order, the same in both passes
	pos  ast.Node // the function literal or declaration
	name string   // "the closure at line N" or "f"
	decl *ast.FuncDecl
	// owned: the body is a function of its own too (a declaration, or
	// a literal bound to a variable), whose closures are registered
	// with it.
	owned bool
}

// inline walks body in place, as the inliner's copy of it: like a bare
// block, whose looping labels last after it.
func (w *walker) inline(b inlinedBody, body *ast.BlockStmt) {
	w.nbodies++
	b.seq = w.nbodies
	w.inlined = append(w.inlined, b)
	w.stmts(body.List)
	w.inlined = w.inlined[:len(w.inlined)-1]
}

// registering reports whether function literals met now are functions
// of fn: not those of a named function's inlined body, which belong to
// that function (and are registered with it).
func (w *walker) registering() bool {
	for _, b := range w.inlined {
		if b.owned {
			return false
		}
	}
	return true
}

func (w *walker) stmts(list []ast.Stmt) {
	lastLabel := -1
	for i, s := range list {
		if _, ok := s.(*ast.LabeledStmt); ok {
			lastLabel = i
		}
	}
	dead := false
	for i, s := range list {
		if dead && i > lastLabel {
			w.deadStmt(s)
			continue
		}
		w.stmt(s)
		dead = w.terminates(s)
	}
}

// block is e.block: the body of if, for, range, switch and select
// clauses; the loop depth comes back at its end.
func (w *walker) block(list []ast.Stmt) {
	loops, labels := w.loops, w.labels
	w.stmts(list)
	w.loops, w.labels = loops, labels
}

func (w *walker) deadStmt(s ast.Stmt) {
	if s == nil {
		return
	}
	old := w.dead
	w.dead = true
	w.stmt(s)
	w.dead = old
}

func (w *walker) deadBlock(b *ast.BlockStmt) {
	if b != nil {
		w.deadStmt(b)
	}
}

func (w *walker) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case nil:
	case *ast.LabeledStmt:
		if s.Label.Name != "_" {
			key := w.labelKey(s.Label)
			if w.pass == 1 && !w.dead {
				w.seen[key] = true
			}
			if w.pass == 2 && !w.dead && w.looping[key] {
				var in *inlinedBody
				if n := len(w.inlined); n > 0 {
					in = &w.inlined[n-1]
				}
				w.labelIn = append(w.labelIn[:w.labels], in)
				w.labels++
			}
		}
		w.stmt(s.Stmt)
	case *ast.BranchStmt:
		if w.pass == 1 && !w.dead && s.Tok == token.GOTO && s.Label != nil {
			if key := w.labelKey(s.Label); w.seen[key] {
				w.looping[key] = true
			}
		}
	case *ast.BlockStmt:
		w.stmts(s.List) // OBLOCK: no restore
	case *ast.IfStmt:
		w.stmt(s.Init)
		w.exprs(s.Cond)
		cond := 0
		if !w.dead {
			cond = w.staticBool(s.Cond)
		}
		if cond >= 0 {
			w.block(list(s.Body))
		} else {
			w.deadBlock(s.Body)
		}
		if s.Else != nil {
			if cond <= 0 {
				loops, labels := w.loops, w.labels
				w.stmt(s.Else)
				w.loops, w.labels = loops, labels
			} else {
				w.deadStmt(s.Else)
			}
		}
	case *ast.ForStmt:
		w.stmt(s.Init)
		w.exprs(s.Cond)
		if s.Cond != nil && !w.dead && w.staticBool(s.Cond) < 0 {
			w.deadStmt(s.Post)
			w.deadBlock(s.Body)
			return
		}
		w.loops++
		w.stmt(s.Post)
		w.block(list(s.Body))
		w.loops--
	case *ast.RangeStmt:
		w.exprs(s.Key)
		w.exprs(s.Value)
		w.exprs(s.X)
		if w.isRangeFunc(s.X) {
			w.rangeFuncBody(s)
			return
		}
		w.loops++
		w.block(list(s.Body))
		w.loops--
	case *ast.SwitchStmt:
		w.stmt(s.Init)
		w.exprs(s.Tag)
		keep := w.switchTarget(s)
		for _, c := range list(s.Body) {
			cc, ok := c.(*ast.CaseClause)
			if !ok {
				continue
			}
			if keep != nil && !keep[cc] {
				old := w.dead
				w.dead = true
				w.caseClause(cc)
				w.dead = old
				continue
			}
			w.caseClause(cc)
		}
	case *ast.TypeSwitchStmt:
		w.stmt(s.Init)
		w.stmt(s.Assign)
		for _, c := range list(s.Body) {
			if cc, ok := c.(*ast.CaseClause); ok {
				w.caseClause(cc)
			}
		}
	case *ast.SelectStmt:
		for _, c := range list(s.Body) {
			cc, ok := c.(*ast.CommClause)
			if !ok {
				continue
			}
			w.stmt(cc.Comm)
			w.block(cc.Body)
		}
	case *ast.DeferStmt:
		w.goDeferCall(s.Call)
		if w.pass == 2 {
			site := &deferSite{
				stmt: s, loops: w.loops, labels: w.labels, inRange: w.inRange, dead: w.dead,
			}
			if w.labels > 0 && w.labelIn[w.labels-1] != nil {
				site.labelIn = w.labelIn[w.labels-1].name
			}
			w.fn.defers = append(w.fn.defers, site)
			if w.inRange != "" && !w.dead {
				w.fn.rangeDefs = true
			}
		}
	case *ast.GoStmt:
		w.goDeferCall(s.Call)
	case *ast.ReturnStmt:
		// An inlined closure's returns become assignments and a
		// forward goto: they are not returns of fn (walk/assign.go
		// counts NumReturns after inlining).
		if w.pass == 2 && !w.dead && len(w.inlined) == 0 {
			if w.inRange == "" {
				w.fn.returns++
			} else if !w.rangeRet {
				w.rangeRet = true
				w.fn.returns++ // the outer loop's "if #next == -1 { return }"
			}
		}
		for _, r := range s.Results {
			w.exprs(r)
		}
	default:
		// Simple statements: expressions only (closures).
		w.exprs(s)
	}
}

// goDeferCall walks the call of a go or defer statement: its function
// and arguments are evaluated on the spot, but a function literal it
// calls is never inlined.
func (w *walker) goDeferCall(call *ast.CallExpr) {
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		w.exprs(lit)
	} else {
		w.exprs(call.Fun)
	}
	for _, a := range call.Args {
		w.exprs(a)
	}
}

func (w *walker) caseClause(cc *ast.CaseClause) {
	for _, e := range cc.List {
		w.exprs(e)
	}
	w.block(cc.Body)
}

// rangeFuncBody handles a range-over-func loop: its body becomes a
// closure (cmd/compile/internal/rangefunc/rewrite.go), its defers are
// attached to the outer frame with deferprocat, and a return in it adds
// one return check after the outermost such loop.
func (w *walker) rangeFuncBody(s *ast.RangeStmt) {
	oldRange, oldOuter, oldRet := w.inRange, w.outerRange, w.rangeRet
	if w.outerRange == nil {
		w.outerRange, w.rangeRet = s, false
	}
	if w.pass == 2 {
		w.fn.nranges++
		w.inRange = fmt.Sprintf("loop %d of %s", w.fn.nranges, w.fn.name)
	} else {
		w.inRange = "range"
	}
	// The body is a function of its own: its loops and labels count
	// from zero, in a labelIn of its own (sharing the outer one's array
	// would overwrite the outer labels' entries).
	loops, labels, labelIn := w.loops, w.labels, w.labelIn
	w.loops, w.labels, w.labelIn = 0, 0, nil
	w.block(list(s.Body))
	w.loops, w.labels, w.labelIn = loops, labels, labelIn
	w.inRange = oldRange
	if oldOuter == nil {
		w.outerRange, w.rangeRet = nil, false
	} else {
		w.outerRange, w.rangeRet = oldOuter, oldRet || w.rangeRet
	}
}

// exprs registers the function literals in n as functions of their own,
// and walks in place the bodies of those the inliner puts into fn.
func (w *walker) exprs(n ast.Node) {
	if n == nil {
		return
	}
	ast.Inspect(n, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok && w.inlinedLit(call, lit) {
				for _, a := range call.Args {
					w.exprs(a)
				}
				w.inline(inlinedBody{pos: lit, name: fmt.Sprintf("the closure at line %d", w.d.fset.Position(lit.Pos()).Line)}, lit.Body)
				return false
			}
			if fd := w.inlinedDecl(call); fd != nil {
				w.exprs(call.Fun)
				for _, a := range call.Args {
					w.exprs(a)
				}
				w.inline(inlinedBody{pos: fd, name: funcname.Of(fd), decl: fd, owned: true}, fd.Body)
				return false
			}
			if lit := w.inlinedBound(call); lit != nil {
				for _, a := range call.Args {
					w.exprs(a)
				}
				w.inline(inlinedBody{pos: lit, name: fmt.Sprintf("the closure at line %d", w.d.fset.Position(lit.Pos()).Line), owned: true}, lit.Body)
				return false
			}
			return true
		}
		lit, ok := n.(*ast.FuncLit)
		if !ok {
			return true
		}
		if w.pass != 2 || !w.registering() {
			return false
		}
		w.fn.nlits++
		w.d.funcs = append(w.d.funcs, &funcUnit{
			name: fmt.Sprintf("%s.func%d", w.fn.name, w.fn.nlits),
			typ:  lit.Type,
			body: lit.Body,
			dead: w.dead,
		})
		return false
	})
}

func (w *walker) isRangeFunc(x ast.Expr) bool {
	tv, ok := w.d.info.Types[x]
	if !ok || tv.Type == nil {
		return false
	}
	t := tv.Type
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		// A type parameter ranges as its core type.
		t = coreType(tp)
		if t == nil {
			return false
		}
	}
	_, ok = t.Underlying().(*types.Signature)
	return ok
}

func coreType(tp *types.TypeParam) types.Type {
	iface, ok := tp.Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	var core types.Type
	for i := 0; i < iface.NumEmbeddeds(); i++ {
		if u, ok := iface.EmbeddedType(i).(*types.Union); ok && u.Len() == 1 {
			core = u.Term(0).Type()
		} else if _, ok := iface.EmbeddedType(i).Underlying().(*types.Signature); ok {
			core = iface.EmbeddedType(i)
		}
	}
	return core
}

// terminates is noder's terminates: return, goto, a call of the builtin
// panic, an if whose taken branches terminate, a block ending in one.
func (w *walker) terminates(s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.BranchStmt:
		return s.Tok == token.GOTO
	case *ast.ReturnStmt:
		return true
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok {
			return w.isBuiltin(call.Fun, "panic")
		}
	case *ast.IfStmt:
		cond := w.staticBool(s.Cond)
		return (cond < 0 || w.terminates(s.Body)) && (cond > 0 || w.terminates(s.Else))
	case *ast.BlockStmt:
		return s != nil && w.terminates(lastNonEmpty(s.List))
	}
	return false
}

func lastNonEmpty(list []ast.Stmt) ast.Stmt {
	for i := len(list) - 1; i >= 0; i-- {
		if _, ok := list[i].(*ast.EmptyStmt); !ok {
			return list[i]
		}
	}
	return nil
}

func (w *walker) isBuiltin(fun ast.Expr, name string) bool {
	id, ok := ast.Unparen(fun).(*ast.Ident)
	if !ok || id.Name != name {
		return false
	}
	_, ok = w.d.info.Uses[id].(*types.Builtin)
	return ok
}

// staticBool is noder's staticBool: +1 always true, -1 always false, 0
// unknown.
func (w *walker) staticBool(e ast.Expr) int {
	if e == nil {
		return 0
	}
	if v := w.constValue(e); v != nil {
		if v.Kind() == constant.Bool {
			if constant.BoolVal(v) {
				return +1
			}
			return -1
		}
		return 0
	}
	switch x := e.(type) {
	case *ast.UnaryExpr:
		if x.Op == token.NOT {
			return w.staticBool(x.X)
		}
	case *ast.BinaryExpr:
		switch x.Op {
		case token.LAND:
			l := w.staticBool(x.X)
			if l < 0 {
				return l
			}
			r := w.staticBool(x.Y)
			if l > 0 || r < 0 {
				return r
			}
		case token.LOR:
			l := w.staticBool(x.X)
			if l > 0 {
				return l
			}
			r := w.staticBool(x.Y)
			if l < 0 || r > 0 {
				return r
			}
		}
	}
	return 0
}

func (w *walker) constValue(e ast.Expr) constant.Value {
	if tv, ok := w.d.info.Types[e]; ok {
		return tv.Value
	}
	return nil
}

// switchTarget mirrors noder's switchStmt: with a constant tag (or no tag,
// meaning true) and constant cases, only the clause that matches is
// compiled. It returns the clauses kept, or nil when all are.
func (w *walker) switchTarget(s *ast.SwitchStmt) map[*ast.CaseClause]bool {
	if w.dead {
		return nil
	}
	var tag constant.Value
	if s.Tag != nil {
		tag = w.constValue(s.Tag)
		if tag == nil {
			return nil
		}
	} else {
		tag = constant.MakeBool(true)
	}
	var target *ast.CaseClause
outer:
	for _, c := range list(s.Body) {
		cc, ok := c.(*ast.CaseClause)
		if !ok {
			return nil
		}
		if cc.List == nil {
			target = cc
		}
		for _, e := range cc.List {
			v := w.constValue(e)
			if v == nil {
				return nil // non-constant case: give up
			}
			if compareEqual(tag, v) {
				target = cc
				break outer
			}
		}
	}
	keep := map[*ast.CaseClause]bool{}
	if target != nil {
		if hasFallthrough(target.Body) {
			return nil
		}
		keep[target] = true
	}
	return keep
}

func compareEqual(a, b constant.Value) (eq bool) {
	defer func() {
		if recover() != nil { // mismatched kinds: not equal
			eq = false
		}
	}()
	if a.Kind() != b.Kind() && !(isNumeric(a) && isNumeric(b)) {
		return false
	}
	return constant.Compare(a, token.EQL, b)
}

func isNumeric(v constant.Value) bool {
	switch v.Kind() {
	case constant.Int, constant.Float, constant.Complex:
		return true
	}
	return false
}

func hasFallthrough(list []ast.Stmt) bool {
	s := lastNonEmpty(list)
	for {
		l, ok := s.(*ast.LabeledStmt)
		if !ok {
			break
		}
		s = l.Stmt
	}
	b, ok := s.(*ast.BranchStmt)
	return ok && b.Tok == token.FALLTHROUGH
}

// list returns the statements of b, or none when b is missing (in a
// package that did not parse cleanly).
func list(b *ast.BlockStmt) []ast.Stmt {
	if b == nil {
		return nil
	}
	return b.List
}
