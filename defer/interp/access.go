package interp

import (
	"go/ast"
	"go/types"

	"github.com/deferio/deferio/defer/chain"
)

// An lvalue is a place to store: a variable (a struct field and an array
// element are variables too), a slice element or a map entry.
type lvalue struct {
	c     *cell
	s     *slice
	i     int
	isMap bool
	m     *mapVal
	k     any
	pos   ast.Expr
}

func (lv lvalue) load(fr *frame) any {
	switch {
	case lv.c != nil:
		return lv.c.v
	case lv.isMap:
		return fr.mapIndex(lv.m, lv.k, lv.pos)
	}
	fr.checkIndex(lv.s, lv.i)
	return lv.s.at(lv.i)
}

func (lv lvalue) store(fr *frame, v any) {
	switch {
	case lv.c != nil:
		lv.c.set(v)
		return
	case lv.isMap:
		if lv.m == nil {
			fr.plainRuntimeError("assignment to entry in nil map")
		}
		if err := lv.m.put(lv.k, v); err != nil {
			fr.runtimeError(err.Error(), false)
		}
		return
	}
	fr.checkIndex(lv.s, lv.i)
	lv.s.cellAt(lv.i).set(v)
}

func (fr *frame) lvalue(e ast.Expr) lvalue {
	info := fr.in.p.Info
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, ok := info.Uses[e].(*types.Var)
		if !ok {
			v, _ = info.Defs[e].(*types.Var)
		}
		if v == nil {
			fr.in.fail("%s: cannot assign to %s", fr.in.p.Fset.Position(e.Pos()), e.Name)
		}
		return lvalue{c: fr.lookup(v)}
	case *ast.StarExpr:
		p, _ := fr.eval(e.X).(*cell)
		if p == nil {
			fr.nilDeref()
		}
		return lvalue{c: p}
	case *ast.SelectorExpr:
		return lvalue{c: fr.fieldCell(e)}
	case *ast.IndexExpr:
		switch t := info.TypeOf(e.X).Underlying().(type) {
		case *types.Map:
			m, k := fr.mapOperand(e, t)
			return lvalue{isMap: true, m: m, k: k, pos: e}
		case *types.Array:
			return lvalue{c: fr.arrayCell(fr.lvalue(e.X).c.v, e)}
		case *types.Pointer:
			return lvalue{c: fr.arrayCell(fr.eval(e.X), e)}
		}
		s, _ := fr.eval(e.X).(*slice)
		i := fr.eval(e.Index).(int)
		return lvalue{s: s, i: i, pos: e}
	}
	fr.in.fail("%s: assignment to %T is outside the subset", fr.in.p.Fset.Position(e.Pos()), e)
	return lvalue{}
}

// addr is &e: the variable e denotes (a slice element is a variable of
// its backing array, so two &s[0] are equal, as in Go).
func (fr *frame) addr(e ast.Expr) *cell {
	if x, ok := ast.Unparen(e).(*ast.CompositeLit); ok {
		return &cell{fr.eval(x)}
	}
	lv := fr.lvalue(e)
	if lv.c == nil {
		fr.checkIndex(lv.s, lv.i)
		return lv.s.cellAt(lv.i)
	}
	return lv.c
}

// fieldCell is the variable of the field e selects, through embedded
// fields and pointers (a nil pointer on the way is a nil dereference).
func (fr *frame) fieldCell(e *ast.SelectorExpr) *cell {
	sel := fr.in.p.Info.Selections[e]
	if sel == nil || sel.Kind() != types.FieldVal {
		fr.in.fail("%s: selector %s is outside the subset", fr.in.p.Fset.Position(e.Pos()), e.Sel.Name)
	}
	return fr.walkFields(fr.eval(e.X), sel.Index())
}

// walkFields follows a path of field indexes from v.
func (fr *frame) walkFields(v any, path []int) *cell {
	var c *cell
	for _, i := range path {
		if p, ok := v.(*cell); ok {
			if p == nil {
				fr.nilDeref()
			}
			v = p.v
		}
		s, ok := v.(*structVal)
		if !ok {
			fr.in.fail("internal: field of a %T", v)
		}
		c = s.f[i]
		v = c.v
	}
	return c
}

// arrayCell is the element variable a[i] of an array (or of the array a
// pointer points to).
func (fr *frame) arrayCell(v any, e *ast.IndexExpr) *cell {
	if p, ok := v.(*cell); ok {
		if p == nil {
			fr.nilDeref()
		}
		v = p.v
	}
	a := v.(*arrayVal)
	i := fr.eval(e.Index).(int)
	fr.checkLen(i, len(a.e))
	return a.e[i]
}

// indexExpr is e.X[e.Index] as a value.
func (fr *frame) indexExpr(e *ast.IndexExpr) any {
	info := fr.in.p.Info
	switch t := info.TypeOf(e.X).Underlying().(type) {
	case *types.Map:
		m, k := fr.mapOperand(e, t)
		return fr.mapIndex(m, k, e)
	case *types.Array, *types.Pointer:
		return fr.arrayCell(fr.eval(e.X), e).v
	case *types.Basic:
		s := fr.eval(e.X).(string)
		i := fr.eval(e.Index).(int)
		fr.checkLen(i, len(s))
		return int(s[i])
	}
	s, _ := fr.eval(e.X).(*slice)
	i := fr.eval(e.Index).(int)
	fr.checkIndex(s, i)
	return s.at(i)
}

// mapOperand evaluates the map and the key of m[k], the key converted to
// the map's key type.
func (fr *frame) mapOperand(e *ast.IndexExpr, t *types.Map) (*mapVal, any) {
	m, _ := fr.eval(e.X).(*mapVal)
	k := fr.in.convert(fr.eval(e.Index), fr.in.p.Info.TypeOf(e.Index), t.Key(), fr.isConst([]ast.Expr{e.Index}, 0))
	return m, k
}

// mapIndex is m[k]: the element, or the zero value of the element type.
func (fr *frame) mapIndex(m *mapVal, k any, e ast.Expr) any {
	ent, err := m.get(k)
	if err != nil {
		fr.runtimeError(err.Error(), false)
	}
	if ent == nil {
		return zero(fr.in.p.Info.TypeOf(e))
	}
	return ent.v
}

// commaOk is v, ok := m[k].
func (fr *frame) commaOk(e *ast.IndexExpr) []any {
	info := fr.in.p.Info
	t := info.TypeOf(e.X).Underlying().(*types.Map)
	m, k := fr.mapOperand(e, t)
	ent, err := m.get(k)
	if err != nil {
		fr.runtimeError(err.Error(), false)
	}
	if ent == nil {
		return []any{zero(t.Elem()), false}
	}
	return []any{ent.v, true}
}

// plainRuntimeError panics with a runtime error printed without the
// "runtime error: " prefix (the runtime's plainError).
func (fr *frame) plainRuntimeError(msg string) {
	e := &chain.RuntimeError{Msg: msg, Plain: true}
	fr.in.panic(e, e.Error())
}

// compositeLit builds a struct, array, slice or map value.
func (fr *frame) compositeLit(e *ast.CompositeLit, t types.Type) any {
	in := fr.in
	info := in.p.Info
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return &cell{fr.compositeLit(e, p.Elem())}
	}
	elem := func(el ast.Expr, want types.Type) any {
		if lit, ok := el.(*ast.CompositeLit); ok && lit.Type == nil {
			if p, ok := want.Underlying().(*types.Pointer); ok {
				// []*T{{...}}: the element is &T{...}.
				return &cell{fr.compositeLit(lit, p.Elem())}
			}
			return fr.compositeLit(lit, want)
		}
		return in.convert(fr.eval(el), info.TypeOf(el), want, info.Types[el].Value != nil)
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		s := zeroStruct(u)
		for i, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				name := kv.Key.(*ast.Ident).Name
				for j := range u.NumFields() {
					if u.Field(j).Name() == name {
						s.f[j].v = elem(kv.Value, u.Field(j).Type())
					}
				}
				continue
			}
			s.f[i].v = elem(el, u.Field(i).Type())
		}
		return s
	case *types.Array:
		a := zeroArray(u)
		i := 0
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				i = fr.eval(kv.Key).(int)
				el = kv.Value
			}
			a.e[i].v = elem(el, u.Elem())
			i++
		}
		return a
	case *types.Map:
		m := &mapVal{entries: map[any]*mapEntry{}}
		for _, el := range e.Elts {
			kv := el.(*ast.KeyValueExpr)
			k := elem(kv.Key, u.Key())
			if err := m.put(k, elem(kv.Value, u.Elem())); err != nil {
				fr.runtimeError(err.Error(), false)
			}
		}
		return m
	case *types.Slice:
		n := 0
		i := 0
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				i = fr.eval(kv.Key).(int)
			}
			i++
			n = max(n, i)
		}
		arr := make([]any, n)
		for j := range arr {
			arr[j] = zero(u.Elem())
		}
		i = 0
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				i = fr.eval(kv.Key).(int)
				el = kv.Value
			}
			arr[i] = elem(el, u.Elem())
			i++
		}
		return &slice{arr: cellsOf(arr), len: n, cap: n}
	}
	in.fail("%s: composite literal of type %s is outside the subset", in.p.Fset.Position(e.Pos()), t)
	return nil
}
