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
	// loop is set in the body of a range-over-func loop whose body
	// defers; loopCF is then the frame that holds the loop.
	loop   *chain.RangeDefers
	loopCF *chain.Frame
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
		d := 1
		if s.Tok == token.DEC {
			d = -1
		}
		switch x := lv.load(fr).(type) {
		case int:
			lv.store(fr, wrapInt(x+d, fr.in.p.Info.TypeOf(s.X)))
		case float64:
			lv.store(fr, x+float64(d))
		}
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
	case *ast.TypeSwitchStmt:
		return fr.typeSwitch(s, label)
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
	// Every value is converted (a struct or an array copied) before the
	// first store: a, b = b, a must not see a's new value.
	for i, e := range s.Lhs {
		if id, isID := e.(*ast.Ident); !isID || id.Name != "_" {
			vals[i] = fr.in.convert(vals[i], fr.typeOfValue(s.Rhs, len(s.Lhs), i), info.TypeOf(e), fr.isConst(s.Rhs, i))
		}
	}
	for i, e := range s.Lhs {
		id, isID := e.(*ast.Ident)
		if isID && id.Name == "_" {
			continue
		}
		v := vals[i]
		if isID && s.Tok == token.DEFINE && info.Defs[id] != nil {
			fr.declare(id, v)
			continue
		}
		lvs[i].store(fr, v)
	}
}

func opOf(t token.Token) token.Token {
	if t >= token.ADD_ASSIGN && t <= token.AND_NOT_ASSIGN {
		return t - token.ADD_ASSIGN + token.ADD
	}
	return token.ILLEGAL
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
	if _, ok := fr.in.p.Info.TypeOf(s.X).Underlying().(*types.Signature); ok {
		fv, _ := x.(*funcValue)
		return fr.rangeFunc(s, fv, label)
	}
	// key and value return the i'th iteration's variables.
	var n int
	var key func(i int) any
	var value func(i int) any
	switch x := x.(type) {
	case int:
		n = x
	case *slice:
		if x != nil {
			n = x.len
			value = func(i int) any { return copyVal(x.at(i)) }
		}
	case *cell: // a pointer to an array: its elements as they are then
		if x == nil && s.Value != nil {
			fr.nilDeref()
		}
		// The length is the type's: a nil pointer ranges over it too.
		n = int(fr.in.p.Info.TypeOf(s.X).Underlying().(*types.Pointer).Elem().Underlying().(*types.Array).Len())
		if x != nil {
			a := x.v.(*arrayVal)
			value = func(i int) any { return copyVal(a.e[i].v) }
		}
	case *arrayVal: // a copy of the array, evaluated once
		a := copyVal(x).(*arrayVal)
		n = len(a.e)
		value = func(i int) any { return a.e[i].v }
	case string:
		idx, runes := runeStarts(x)
		n = len(idx)
		key = func(i int) any { return idx[i] }
		value = func(i int) any { return runes[i] }
	case *mapVal:
		// The model visits a map in sorted key order (Go's order is
		// random); an entry deleted before it is reached is skipped.
		es := x.sorted()
		n = len(es)
		key = func(i int) any { return es[i].k }
		value = func(i int) any { return es[i].v }
		live := func(i int) bool {
			mk, _ := mapKey(es[i].k)
			return x.entries[mk] == es[i]
		}
		return fr.rangeLoop(s, label, n, key, value, live)
	}
	return fr.rangeLoop(s, label, n, key, value, nil)
}

func (fr *frame) rangeLoop(s *ast.RangeStmt, label string, n int, key, value func(int) any, live func(int) bool) ctl {
	for i := 0; i < n; i++ {
		fr.in.step(s)
		if live != nil && !live(i) {
			continue
		}
		if s.Key != nil {
			if key != nil {
				fr.rangeVar(s, s.Key, key(i))
			} else {
				fr.rangeVar(s, s.Key, i)
			}
		}
		if s.Value != nil && value != nil {
			fr.rangeVar(s, s.Value, value(i))
		}
		if stop, c := loopCtl(fr.execList(s.Body.List), label); stop {
			return c
		}
	}
	return ctl{}
}

// runeStarts returns the byte offset and the rune of each rune of s, as
// range over a string visits them.
func runeStarts(s string) (idx []int, runes []int) {
	for i, r := range s {
		idx = append(idx, i)
		runes = append(runes, int(r))
	}
	return idx, runes
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

// rangeVar sets an iteration variable of a range loop: declares it for
// :=, assigns it for = (the subset keeps = to targets of the element's
// own type, so no conversion is needed).
func (fr *frame) rangeVar(s *ast.RangeStmt, e ast.Expr, v any) {
	if id, ok := e.(*ast.Ident); ok && (id.Name == "_" || s.Tok == token.DEFINE) {
		fr.declare(id, v)
		return
	}
	fr.lvalue(e).store(fr, copyVal(v))
}
