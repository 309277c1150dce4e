package interp

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/deferio/deferio/defer/chain"
)

func (fr *frame) eval(e ast.Expr) any {
	in := fr.in
	info := in.p.Info
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		v, err := constValue(tv.Value, tv.Type)
		if err != nil {
			in.fail("%s: %v", in.p.Fset.Position(e.Pos()), err)
		}
		return v
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return fr.eval(e.X)
	case *ast.Ident:
		switch obj := info.Uses[e].(type) {
		case *types.Var:
			return fr.lookup(obj).v
		case *types.Func:
			return &funcValue{name: "main." + obj.Name(), decl: in.p.funcs[obj]}
		case *types.Nil:
			return nil
		}
		in.fail("%s: identifier %s is outside the subset", in.p.Fset.Position(e.Pos()), e.Name)
	case *ast.FuncLit:
		fv := &funcValue{name: in.names[e], lit: e, captured: map[*types.Var]*cell{}}
		for _, v := range in.p.free[e] {
			fv.captured[v] = fr.lookup(v)
		}
		return fv
	case *ast.CompositeLit:
		return fr.compositeLit(e, info.TypeOf(e))
	case *ast.SelectorExpr:
		return fr.selector(e)
	case *ast.UnaryExpr:
		switch e.Op {
		case token.AND:
			return fr.addr(e.X)
		case token.NOT:
			return !fr.eval(e.X).(bool)
		case token.SUB:
			switch x := fr.eval(e.X).(type) {
			case float64:
				return -x
			case int:
				return wrapInt(-x, info.TypeOf(e))
			}
		case token.ADD:
			return fr.eval(e.X)
		case token.XOR:
			return wrapInt(^fr.eval(e.X).(int), info.TypeOf(e))
		case token.ARROW:
			c, _ := fr.eval(e.X).(*channel)
			v, _ := fr.recv(c)
			return v
		}
	case *ast.StarExpr:
		p, _ := fr.eval(e.X).(*cell)
		if p == nil {
			fr.nilDeref()
		}
		return p.v
	case *ast.BinaryExpr:
		return fr.binaryExpr(e)
	case *ast.IndexExpr:
		return fr.indexExpr(e)
	case *ast.SliceExpr:
		return fr.sliceExpr(e)
	case *ast.TypeAssertExpr:
		x := fr.eval(e.X)
		v, ok := fr.assertValue(e, x)
		if !ok {
			fr.assertPanic(e, x)
		}
		return v
	case *ast.CallExpr:
		vals := fr.callExpr(e)
		if len(vals) == 0 {
			return nil
		}
		return vals[0]
	}
	in.fail("%s: expression %T is outside the subset", in.p.Fset.Position(e.Pos()), e)
	return nil
}

// evalMulti evaluates exprs for n values: n expressions, or one call or
// comma-ok type assertion giving n values.
func (fr *frame) evalMulti(exprs []ast.Expr, n int) []any {
	if len(exprs) == n {
		vals := make([]any, n)
		for i, e := range exprs {
			vals[i] = fr.eval(e)
		}
		return vals
	}
	switch e := ast.Unparen(exprs[0]).(type) {
	case *ast.CallExpr:
		return fr.callExpr(e)
	case *ast.TypeAssertExpr:
		v, ok := fr.assert(e)
		return []any{v, ok}
	case *ast.UnaryExpr:
		c, _ := fr.eval(e.X).(*channel)
		v, ok := fr.recv(c)
		return []any{v, ok}
	case *ast.IndexExpr:
		return fr.commaOk(e)
	}
	fr.in.fail("%s: %d values from %T is outside the subset", fr.in.p.Fset.Position(exprs[0].Pos()), n, exprs[0])
	return nil
}

func (fr *frame) binaryExpr(e *ast.BinaryExpr) any {
	info := fr.in.p.Info
	switch e.Op {
	case token.LAND:
		return fr.eval(e.X).(bool) && fr.eval(e.Y).(bool)
	case token.LOR:
		return fr.eval(e.X).(bool) || fr.eval(e.Y).(bool)
	}
	x, y := fr.eval(e.X), fr.eval(e.Y)
	tx, ty := info.TypeOf(e.X), info.TypeOf(e.Y)
	if e.Op == token.EQL || e.Op == token.NEQ {
		// Mixed interface and concrete operands compare as interfaces.
		if isInterface(tx) && !isInterface(ty) {
			y = fr.in.convert(y, ty, tx, info.Types[e.Y].Value != nil)
		} else if isInterface(ty) && !isInterface(tx) {
			x = fr.in.convert(x, tx, ty, info.Types[e.X].Value != nil)
		}
	}
	return fr.binary(e, e.Op, x, y, tx)
}

func (fr *frame) binary(n ast.Node, op token.Token, x, y any, t types.Type) any {
	switch op {
	case token.EQL, token.NEQ:
		eq, err := equal(x, y)
		if err != nil {
			fr.runtimeError(err.Error(), false)
		}
		return eq == (op == token.EQL)
	}
	if a, ok := x.(int); ok {
		if r, ok := fr.intOp(op, a, y.(int)); ok {
			return wrapInt(r, t)
		}
		if r, ok := compare(op, a, y.(int)); ok {
			return r
		}
	}
	if a, ok := x.(float64); ok {
		b := y.(float64)
		if r, ok := compare(op, a, b); ok {
			return r
		}
		switch op {
		case token.ADD:
			return a + b
		case token.SUB:
			return a - b
		case token.MUL:
			return a * b
		case token.QUO:
			return a / b
		}
	}
	if a, ok := x.(string); ok {
		b := y.(string)
		if r, ok := compare(op, a, b); ok {
			return r
		}
		switch op {
		case token.ADD:
			if len(a)+len(b) > maxLen {
				fr.in.fail("%s: a string longer than %d bytes is beyond the model's memory limit", fr.in.p.Fset.Position(n.Pos()), maxLen)
			}
			return a + b
		}
	}
	fr.in.fail("%s: operator %s on %T is outside the subset", fr.in.p.Fset.Position(n.Pos()), op, x)
	return nil
}

func (fr *frame) checkIndex(s *slice, i int) {
	n := 0
	if s != nil {
		n = s.len
	}
	fr.checkLen(i, n)
}

// checkLen is the bounds check of an index i into n elements of a
// slice, an array or a string, with the runtime's messages (a negative
// index is reported without the length).
func (fr *frame) checkLen(i, n int) {
	if i < 0 {
		fr.runtimeError(fmt.Sprintf("index out of range [%d]", i), false)
	}
	if i >= n {
		fr.runtimeError(fmt.Sprintf("index out of range [%d] with length %d", i, n), false)
	}
}

func (fr *frame) sliceExpr(e *ast.SliceExpr) any {
	var s *slice
	what := "capacity" // the runtime says length for arrays and strings
	var a *arrayVal
	switch fr.in.p.Info.TypeOf(e.X).Underlying().(type) {
	case *types.Array:
		// The array variable itself: the slice shares its elements.
		a = fr.lvalue(e.X).c.v.(*arrayVal)
	case *types.Pointer:
		p, _ := fr.eval(e.X).(*cell)
		if p == nil {
			fr.nilDeref()
		}
		a = p.v.(*arrayVal)
	default:
		x := fr.eval(e.X)
		if str, ok := x.(string); ok {
			return fr.sliceString(e, str)
		}
		s, _ = x.(*slice)
	}
	if a != nil {
		s, what = &slice{arr: &a.e, len: len(a.e), cap: len(a.e)}, "length"
	}
	n, c := 0, 0
	if s != nil {
		n, c = s.len, s.cap
	}
	lo, hi, mx := fr.sliceBounds(e, n, c, what)
	if s == nil {
		return (*slice)(nil)
	}
	return &slice{arr: s.arr, off: s.off + lo, len: hi - lo, cap: mx - lo}
}

// assert is x.(T) for T int, bool, string or error.
func (fr *frame) assert(e *ast.TypeAssertExpr) (any, bool) {
	return fr.assertValue(e, fr.eval(e.X))
}

func (fr *frame) assertValue(e *ast.TypeAssertExpr, v any) (any, bool) {
	t := fr.in.p.Info.TypeOf(e.Type)
	if v, ok := fr.assignable(v, t); ok {
		return v, true
	}
	return zero(t), false
}

// assertPanic is the *runtime.TypeAssertionError of a failed x.(T).
func (fr *frame) assertPanic(e *ast.TypeAssertExpr, v any) {
	info := fr.in.p.Info
	t := info.TypeOf(e.Type)
	iface := reflectName(info.TypeOf(e.X))
	var msg string
	switch {
	case v == nil:
		msg = fmt.Sprintf("interface conversion: %s is nil, not %s", iface, reflectName(t))
	case isInterface(t):
		msg = fmt.Sprintf("interface conversion: %s is not %s: missing method %s", dynTypeString(v), reflectName(t), fr.missingMethod(v, t.Underlying().(*types.Interface)))
	default:
		msg = fmt.Sprintf("interface conversion: %s is %s, not %s", iface, dynTypeString(v), reflectName(t))
	}
	ev := &errorValue{msg: msg, typ: "*runtime.TypeAssertionError"}
	fr.in.panic(ev, msg)
}

// missingMethod is the first method of t, by name, that v's dynamic type lacks.
func (fr *frame) missingMethod(v any, t *types.Interface) string {
	for m := range t.Methods() {
		if !fr.implements(v, types.NewInterfaceType([]*types.Func{m}, nil).Complete()) {
			return m.Name()
		}
	}
	return ""
}

// typeSwitch runs a type switch: the first clause listing a type the
// value has (nil matches a nil interface), else default.
func (fr *frame) typeSwitch(s *ast.TypeSwitchStmt, label string) ctl {
	info := fr.in.p.Info
	if s.Init != nil {
		fr.exec(s.Init, "")
	}
	var x ast.Expr
	var bind *ast.Ident
	switch a := s.Assign.(type) {
	case *ast.ExprStmt:
		x = a.X.(*ast.TypeAssertExpr).X
	case *ast.AssignStmt:
		x = a.Rhs[0].(*ast.TypeAssertExpr).X
		bind = a.Lhs[0].(*ast.Ident)
	}
	v := fr.eval(x)
	var match *ast.CaseClause
	var val any
	for _, cc := range s.Body.List {
		cl := cc.(*ast.CaseClause)
		if cl.List == nil {
			if match == nil {
				match, val = cl, v
			}
			continue
		}
		for _, te := range cl.List {
			t := info.TypeOf(te)
			if b, ok := t.(*types.Basic); ok && b.Kind() == types.UntypedNil {
				if v == nil {
					match, val = cl, v
				}
			} else if w, ok := fr.assignable(v, t); ok {
				match, val = cl, w
				if len(cl.List) > 1 || isInterface(t) {
					val = v
				}
			}
			if match == cl {
				break
			}
		}
		if match == cl {
			break
		}
	}
	if match == nil {
		return ctl{}
	}
	if bind != nil {
		if obj, ok := info.Implicits[match].(*types.Var); ok {
			fr.env[obj] = &cell{val}
		}
	}
	c := fr.execList(match.Body)
	if c.kind == ctlBreak && (c.label == "" || c.label == label) {
		return ctl{}
	}
	return c
}

func (fr *frame) runtimeError(msg string, signal bool) {
	e := &chain.RuntimeError{Msg: msg, Signal: signal}
	fr.in.panic(e, e.Error())
}

func (fr *frame) nilDeref() {
	fr.runtimeError("invalid memory address or nil pointer dereference", true)
}

// sliceString is s[lo:hi] of a string.
func (fr *frame) sliceString(e *ast.SliceExpr, s string) string {
	lo, hi, _ := fr.sliceBounds(e, len(s), len(s), "length")
	return s[lo:hi]
}

// sliceBounds evaluates the indexes of e, whose operand has length n and
// capacity c, and checks them as the runtime does: what names the limit
// in the messages ("capacity" for a slice, "length" for an array or a
// string).
func (fr *frame) sliceBounds(e *ast.SliceExpr, n, c int, what string) (lo, hi, mx int) {
	hi, mx = n, c
	if e.Low != nil {
		lo = fr.eval(e.Low).(int)
	}
	if e.High != nil {
		hi = fr.eval(e.High).(int)
	}
	if e.Max != nil {
		mx = fr.eval(e.Max).(int)
		switch {
		case mx < 0 || mx > c:
			fr.runtimeError(fmt.Sprintf("slice bounds out of range [::%d] with %s %d", mx, what, c), false)
		case hi < 0 || hi > mx:
			fr.runtimeError(fmt.Sprintf("slice bounds out of range [:%d:%d]", hi, mx), false)
		case lo < 0 || lo > hi:
			fr.runtimeError(fmt.Sprintf("slice bounds out of range [%d:%d:]", lo, hi), false)
		}
	}
	switch {
	case hi < 0 || hi > c:
		fr.runtimeError(fmt.Sprintf("slice bounds out of range [:%d] with %s %d", hi, what, c), false)
	case lo < 0 || lo > hi:
		fr.runtimeError(fmt.Sprintf("slice bounds out of range [%d:%d]", lo, hi), false)
	}
	return lo, hi, mx
}

// intOp is the arithmetic of two integers, before wrapInt; ok is false
// for a comparison.
func (fr *frame) intOp(op token.Token, a, b int) (int, bool) {
	switch op {
	case token.ADD:
		return a + b, true
	case token.SUB:
		return a - b, true
	case token.MUL:
		return a * b, true
	case token.QUO, token.REM:
		if b == 0 {
			fr.runtimeError("integer divide by zero", false)
		}
		if op == token.QUO {
			return a / b, true
		}
		return a % b, true
	case token.AND:
		return a & b, true
	case token.OR:
		return a | b, true
	case token.XOR:
		return a ^ b, true
	case token.AND_NOT:
		return a &^ b, true
	case token.SHL, token.SHR:
		if b < 0 {
			fr.runtimeError("negative shift amount", false)
		}
		if op == token.SHL {
			return a << b, true
		}
		return a >> b, true
	}
	return 0, false
}

// wrapInt truncates an integer result to the width of its type, as the
// machine does: int8(127)+1 is -128, uint8(0)-1 is 255. int and int64
// are the model's own int.
func wrapInt(v int, t types.Type) int {
	if t == types.Typ[types.Int] || t == types.Typ[types.UntypedInt] {
		return v // the common case, without a type switch
	}
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return v
	}
	switch b.Kind() {
	case types.Int8:
		return int(int8(v))
	case types.Int16:
		return int(int16(v))
	case types.Int32, types.UntypedRune:
		return int(int32(v))
	case types.Uint8:
		return int(uint8(v))
	case types.Uint16:
		return int(uint16(v))
	case types.Uint32:
		return int(uint32(v))
	}
	return v
}

// compare is a < b, a <= b, a > b or a >= b; ok is false for other
// operators.
func compare[T cmp.Ordered](op token.Token, a, b T) (r, ok bool) {
	switch op {
	case token.LSS:
		return a < b, true
	case token.LEQ:
		return a <= b, true
	case token.GTR:
		return a > b, true
	case token.GEQ:
		return a >= b, true
	}
	return false, false
}
