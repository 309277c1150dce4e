package interp

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/deferio/deferio/defer/chain"
)

// A frame is one activation of an interpreted function.
type frame struct {
	in      *interp
	env     map[*types.Var]*cell
	results []*cell
	cf      *chain.Frame
	fn      ast.Node // *ast.FuncDecl or *ast.FuncLit
	sig     *types.Signature
}

type ctlKind uint8

const (
	ctlNone ctlKind = iota
	ctlBreak
	ctlContinue
	ctlReturn
	ctlGoto
	ctlFallthrough
)

// ctl is how a statement ended: normally, or with a jump.
type ctl struct {
	kind  ctlKind
	label string
}

func (fr *frame) lookup(v *types.Var) *cell {
	if c, ok := fr.env[v]; ok {
		return c
	}
	if c, ok := fr.in.globals[v]; ok {
		return c
	}
	fr.in.fail("internal: variable %s has no storage", v.Name())
	return nil
}

func (fr *frame) declare(id *ast.Ident, v any) {
	obj, ok := fr.in.p.Info.Defs[id].(*types.Var)
	if !ok || id.Name == "_" {
		return
	}
	fr.env[obj] = &cell{v}
}

// execList runs a statement list; a goto to a label of this list jumps
// within it, other jumps end the list.
func (fr *frame) execList(list []ast.Stmt) ctl {
	for i := 0; i < len(list); i++ {
		c := fr.exec(list[i], "")
		if c.kind == ctlGoto {
			if j := labelIndex(list, c.label); j >= 0 {
				i = j - 1
				continue
			}
		}
		if c.kind != ctlNone {
			return c
		}
	}
	return ctl{}
}

func labelIndex(list []ast.Stmt, label string) int {
	for i, s := range list {
		if l, ok := s.(*ast.LabeledStmt); ok && l.Label.Name == label {
			return i
		}
	}
	return -1
}

func (fr *frame) exec(s ast.Stmt, label string) ctl {
	in := fr.in
	in.step(s)
	switch s := s.(type) {
	case *ast.EmptyStmt:
	case *ast.BlockStmt:
		return fr.execList(s.List)
	case *ast.LabeledStmt:
		return fr.exec(s.Stmt, s.Label.Name)
	case *ast.ExprStmt:
		fr.eval(s.X)
	case *ast.DeclStmt:
		fr.declStmt(s.Decl.(*ast.GenDecl))
	case *ast.AssignStmt:
		fr.assign(s)
	case *ast.IncDecStmt:
		lv := fr.lvalue(s.X)
		n := lv.load(fr).(int)
		if s.Tok == token.INC {
			n++
		} else {
			n--
		}
		lv.store(fr, n)
	case *ast.IfStmt:
		if s.Init != nil {
			fr.exec(s.Init, "")
		}
		if fr.eval(s.Cond).(bool) {
			return fr.execList(s.Body.List)
		} else if s.Else != nil {
			return fr.exec(s.Else, "")
		}
	case *ast.ForStmt:
		return fr.forStmt(s, label)
	case *ast.RangeStmt:
		return fr.rangeStmt(s, label)
	case *ast.SwitchStmt:
		return fr.switchStmt(s, label)
	case *ast.BranchStmt:
		l := ""
		if s.Label != nil {
			l = s.Label.Name
		}
		switch s.Tok {
		case token.BREAK:
			return ctl{ctlBreak, l}
		case token.CONTINUE:
			return ctl{ctlContinue, l}
		case token.GOTO:
			return ctl{ctlGoto, l}
		case token.FALLTHROUGH:
			return ctl{ctlFallthrough, ""}
		}
	case *ast.ReturnStmt:
		fr.returnStmt(s)
		return ctl{kind: ctlReturn}
	case *ast.DeferStmt:
		fr.deferStmt(s)
	case *ast.GoStmt:
		fr.goStmt(s)
	case *ast.SendStmt:
		c, _ := fr.eval(s.Chan).(*channel)
		t := in.p.Info.TypeOf(s.Chan).Underlying().(*types.Chan)
		fr.send(c, in.convert(fr.eval(s.Value), in.p.Info.TypeOf(s.Value), t.Elem(), in.p.Info.Types[s.Value].Value != nil))
	case *ast.SelectStmt:
		return fr.selectStmt(s, label)
	default:
		in.fail("%s: statement %T is outside the subset", in.p.Fset.Position(s.Pos()), s)
	}
	return ctl{}
}

func (fr *frame) declStmt(d *ast.GenDecl) {
	if d.Tok != token.VAR {
		return // constants are folded by the type checker
	}
	for _, spec := range d.Specs {
		vs := spec.(*ast.ValueSpec)
		if len(vs.Values) == 0 {
			for _, id := range vs.Names {
				if obj, ok := fr.in.p.Info.Defs[id].(*types.Var); ok {
					fr.declare(id, zero(obj.Type()))
				}
			}
			continue
		}
		vals := fr.evalMulti(vs.Values, len(vs.Names))
		for i, id := range vs.Names {
			obj, ok := fr.in.p.Info.Defs[id].(*types.Var)
			if !ok {
				continue
			}
			fr.declare(id, fr.in.convert(vals[i], fr.typeOfValue(vs.Values, len(vs.Names), i), obj.Type(), fr.isConst(vs.Values, i)))
		}
	}
}

func (fr *frame) isConst(exprs []ast.Expr, i int) bool {
	if len(exprs) <= i {
		return false
	}
	return fr.in.p.Info.Types[exprs[i]].Value != nil
}

// typeOfValue is the static type of the i-th of n values produced by exprs.
func (fr *frame) typeOfValue(exprs []ast.Expr, n, i int) types.Type {
	info := fr.in.p.Info
	if len(exprs) == n {
		return info.TypeOf(exprs[i])
	}
	t := info.TypeOf(exprs[0])
	if tup, ok := t.(*types.Tuple); ok {
		return tup.At(i).Type()
	}
	if i == 1 {
		return types.Typ[types.Bool] // v, ok := x.(T)
	}
	if ta, ok := ast.Unparen(exprs[0]).(*ast.TypeAssertExpr); ok {
		return info.TypeOf(ta.Type)
	}
	return t
}

func (fr *frame) assign(s *ast.AssignStmt) {
	info := fr.in.p.Info
	if s.Tok != token.ASSIGN && s.Tok != token.DEFINE {
		lv := fr.lvalue(s.Lhs[0])
		x := lv.load(fr)
		y := fr.eval(s.Rhs[0])
		lv.store(fr, fr.binary(s, opOf(s.Tok), x, y, info.TypeOf(s.Lhs[0])))
		return
	}
	lvs := make([]lvalue, len(s.Lhs))
	for i, e := range s.Lhs {
		if id, ok := e.(*ast.Ident); ok && (id.Name == "_" || (s.Tok == token.DEFINE && info.Defs[id] != nil)) {
			continue
		}
		lvs[i] = fr.lvalue(e)
	}
	vals := fr.evalMulti(s.Rhs, len(s.Lhs))
	for i, e := range s.Lhs {
		id, isID := e.(*ast.Ident)
		if isID && id.Name == "_" {
			continue
		}
		from := fr.typeOfValue(s.Rhs, len(s.Lhs), i)
		v := fr.in.convert(vals[i], from, info.TypeOf(e), fr.isConst(s.Rhs, i))
		if isID && s.Tok == token.DEFINE && info.Defs[id] != nil {
			fr.declare(id, v)
			continue
		}
		lvs[i].store(fr, v)
	}
}

func opOf(t token.Token) token.Token {
	switch t {
	case token.ADD_ASSIGN:
		return token.ADD
	case token.SUB_ASSIGN:
		return token.SUB
	case token.MUL_ASSIGN:
		return token.MUL
	case token.QUO_ASSIGN:
		return token.QUO
	case token.REM_ASSIGN:
		return token.REM
	}
	return token.ILLEGAL
}

// An lvalue is a place to store: a variable or a slice element.
type lvalue struct {
	c   *cell
	s   *slice
	i   int
	pos ast.Node
}

func (lv lvalue) load(fr *frame) any {
	if lv.c != nil {
		return lv.c.v
	}
	fr.checkIndex(lv.s, lv.i)
	return (*lv.s.arr)[lv.s.off+lv.i]
}

func (lv lvalue) store(fr *frame, v any) {
	if lv.c != nil {
		lv.c.v = v
		return
	}
	fr.checkIndex(lv.s, lv.i)
	(*lv.s.arr)[lv.s.off+lv.i] = v
}

func (fr *frame) lvalue(e ast.Expr) lvalue {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, ok := fr.in.p.Info.Uses[e].(*types.Var)
		if !ok {
			v, _ = fr.in.p.Info.Defs[e].(*types.Var)
		}
		if v == nil {
			fr.in.fail("%s: cannot assign to %s", fr.in.p.Fset.Position(e.Pos()), e.Name)
		}
		return lvalue{c: fr.lookup(v)}
	case *ast.StarExpr:
		p := fr.eval(e.X).(*cell)
		if p == nil {
			fr.nilDeref()
		}
		return lvalue{c: p}
	case *ast.IndexExpr:
		s, _ := fr.eval(e.X).(*slice)
		i := fr.eval(e.Index).(int)
		return lvalue{s: s, i: i, pos: e}
	}
	fr.in.fail("%s: assignment to %T is outside the subset", fr.in.p.Fset.Position(e.Pos()), e)
	return lvalue{}
}

// loopVars are the variables an init statement declares.
func (fr *frame) loopVars(s ast.Stmt) []*types.Var {
	as, ok := s.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE {
		return nil
	}
	var vs []*types.Var
	for _, e := range as.Lhs {
		if v, ok := fr.in.p.Info.Defs[e.(*ast.Ident)].(*types.Var); ok {
			vs = append(vs, v)
		}
	}
	return vs
}

// loopCtl decides what a loop does with how its body ended: stop
// (returning c to the enclosing statement) or go on.
func loopCtl(c ctl, label string) (stop bool, out ctl) {
	switch c.kind {
	case ctlBreak:
		if c.label == "" || c.label == label {
			return true, ctl{}
		}
		return true, c
	case ctlContinue:
		if c.label == "" || c.label == label {
			return false, ctl{}
		}
		return true, c
	case ctlNone:
		return false, ctl{}
	}
	return true, c
}

func (fr *frame) forStmt(s *ast.ForStmt, label string) ctl {
	if s.Init != nil {
		fr.exec(s.Init, "")
	}
	vars := fr.loopVars(s.Init)
	for {
		fr.in.step(s)
		if s.Cond != nil && !fr.eval(s.Cond).(bool) {
			return ctl{}
		}
		if stop, c := loopCtl(fr.execList(s.Body.List), label); stop {
			return c
		}
		// Go 1.22: the next iteration gets fresh copies of the loop
		// variables, made before the post statement.
		for _, v := range vars {
			fr.env[v] = &cell{fr.env[v].v}
		}
		if s.Post != nil {
			fr.exec(s.Post, "")
		}
	}
}

func (fr *frame) rangeStmt(s *ast.RangeStmt, label string) ctl {
	x := fr.eval(s.X)
	if c, ok := x.(*channel); ok || isChan(fr.in.p.Info.TypeOf(s.X)) {
		return fr.rangeChan(s, c, label)
	}
	var n int
	var sl *slice
	switch x := x.(type) {
	case int:
		n = x
	case *slice:
		sl = x
		if x != nil {
			n = x.len
		}
	}
	for i := 0; i < n; i++ {
		fr.in.step(s)
		if k, ok := s.Key.(*ast.Ident); ok {
			fr.declare(k, i)
		}
		if v, ok := s.Value.(*ast.Ident); ok && sl != nil {
			fr.declare(v, (*sl.arr)[sl.off+i])
		}
		if stop, c := loopCtl(fr.execList(s.Body.List), label); stop {
			return c
		}
	}
	return ctl{}
}

func (fr *frame) switchStmt(s *ast.SwitchStmt, label string) ctl {
	info := fr.in.p.Info
	if s.Init != nil {
		fr.exec(s.Init, "")
	}
	var tag any = true
	var tagT types.Type = types.Typ[types.Bool]
	if s.Tag != nil {
		tag = fr.eval(s.Tag)
		tagT = info.TypeOf(s.Tag)
	}
	clauses := s.Body.List
	match := -1
	for i, cc := range clauses {
		for _, e := range cc.(*ast.CaseClause).List {
			v := fr.in.convert(fr.eval(e), info.TypeOf(e), tagT, info.Types[e].Value != nil)
			t := tag
			if isInterface(info.TypeOf(e)) && !isInterface(tagT) {
				t = fr.in.convert(tag, tagT, info.TypeOf(e), false)
			}
			eq, err := equal(t, v)
			if err != nil {
				fr.runtimeError(err.Error(), false)
			}
			if eq {
				match = i
				break
			}
		}
		if match >= 0 {
			break
		}
	}
	if match < 0 {
		for i, cc := range clauses {
			if cc.(*ast.CaseClause).List == nil {
				match = i
			}
		}
	}
	if match < 0 {
		return ctl{}
	}
	for i := match; i < len(clauses); i++ {
		c := fr.execList(clauses[i].(*ast.CaseClause).Body)
		switch {
		case c.kind == ctlFallthrough:
			continue
		case c.kind == ctlBreak && (c.label == "" || c.label == label):
			return ctl{}
		}
		return c
	}
	return ctl{}
}

func (fr *frame) returnStmt(s *ast.ReturnStmt) {
	if len(s.Results) == 0 {
		return
	}
	vals := fr.evalMulti(s.Results, len(fr.results))
	for i, c := range fr.results {
		c.v = fr.in.convert(vals[i], fr.typeOfValue(s.Results, len(fr.results), i), fr.resultType(i), fr.isConst(s.Results, i))
	}
}

func (fr *frame) resultType(i int) types.Type { return fr.sig.Results().At(i).Type() }
