package interp

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/deferio/deferio/defer/chain"
)

// Methods: calls, method values (x.M without a call) and method
// expressions (T.M, (*T).M), with value and pointer receivers, promoted
// through embedded fields, and dispatched on the dynamic type for an
// interface. As in Go, the receiver is evaluated where the selector is:
// a value receiver is copied then (so `defer v.M()` and `f := v.M` keep
// the value v had), a pointer receiver keeps the variable's address.

// selector is e as a value: a field, a method value, a method expression.
func (fr *frame) selector(e *ast.SelectorExpr) any {
	in := fr.in
	s := in.p.Info.Selections[e]
	if s == nil {
		if v, ok := in.p.Info.Uses[e.Sel].(*types.Var); ok && v.Pkg() != nil {
			if f, ok := libVars[v.Pkg().Path()+"."+v.Name()]; ok {
				return f()
			}
		}
		in.fail("%s: %s.%s as a value is outside the subset (call it)", in.p.Fset.Position(e.Pos()), e.X, e.Sel.Name)
	}
	switch s.Kind() {
	case types.FieldVal:
		return fr.fieldCell(e).v
	case types.MethodVal:
		fv := fr.methodValue(e, s)
		fr.checkBound(fv)
		return fv
	}
	// A method expression: the receiver is the first argument.
	fn := s.Obj().(*types.Func)
	recvT := s.Recv()
	path := s.Index()
	return &funcValue{name: funcName(fn), native: func(args []any) []any {
		fv := fr.bind(args[0], recvT, nil, fn, path[:len(path)-1])
		fr.checkBound(fv)
		return in.call(fv, args[1:])
	}}
}

// methodValue evaluates the receiver of x.M and binds the method.
func (fr *frame) methodValue(e *ast.SelectorExpr, s *types.Selection) *funcValue {
	fn := s.Obj().(*types.Func)
	path := s.Index()
	t := fr.in.p.Info.TypeOf(e.X)
	if _, ptr := t.Underlying().(*types.Pointer); !ptr && len(path) == 1 && hasPtrRecv(fn) && !types.IsInterface(t) {
		c := fr.addr(e.X)
		return fr.bind(c.v, t, c, fn, nil)
	}
	return fr.bind(fr.eval(e.X), t, nil, fn, path[:len(path)-1])
}

func hasPtrRecv(fn *types.Func) bool {
	r := fn.Signature().Recv()
	if r == nil {
		return false
	}
	_, ok := r.Type().(*types.Pointer)
	return ok
}

// A nilIface marks the binding of a method of a nil interface: the call
// (or the go or defer statement) panics.
var nilIface = &funcValue{name: "nil interface method"}

func (fr *frame) checkBound(fv *funcValue) {
	if fv == nilIface {
		fr.nilDeref()
	}
}

// bind binds method fn to the value v of type t, reached through the
// embedded fields of path; c is the variable holding v when v is
// addressable without a pointer.
func (fr *frame) bind(v any, t types.Type, c *cell, fn *types.Func, path []int) *funcValue {
	in := fr.in
	if types.IsInterface(t) {
		return fr.bindDynamic(v, fn.Name())
	}
	for _, i := range path {
		if p, ok := t.Underlying().(*types.Pointer); ok {
			pc, _ := v.(*cell)
			if pc == nil {
				fr.nilDeref()
			}
			c, v, t = pc, pc.v, p.Elem()
		}
		st := t.Underlying().(*types.Struct)
		fc := v.(*structVal).f[i]
		c, v, t = fc, fc.v, st.Field(i).Type()
	}
	if types.IsInterface(t) {
		// Promoted from an embedded interface: the field's dynamic type
		// has the method.
		return fr.bindDynamic(v, fn.Name())
	}
	_, isPtr := t.Underlying().(*types.Pointer)
	var recv any
	switch {
	case hasPtrRecv(fn) && isPtr:
		recv = v
	case hasPtrRecv(fn):
		if c == nil {
			in.fail("internal: pointer method %s of a value that is not addressable", fn.Name())
		}
		recv = c
	case isPtr:
		pc, _ := v.(*cell)
		if pc == nil {
			fr.nilDeref()
		}
		recv = copyVal(pc.v)
	default:
		recv = copyVal(v)
	}
	if fn.Pkg() != nil && fn.Pkg() != in.p.Pkg {
		m, ok := libMethods[fn.FullName()]
		if !ok {
			in.fail("method %s is outside the subset", fn.FullName())
		}
		return &funcValue{name: funcName(fn), native: func(args []any) []any { return m(fr, recv, args) }}
	}
	decl := in.p.funcs[fn]
	if decl == nil {
		in.fail("internal: no declaration of method %s", fn.FullName())
	}
	return &funcValue{name: funcName(fn), decl: decl, recv: &cell{recv}}
}

// bindDynamic binds the method name of the dynamic type of the interface
// value v: nilIface for a nil interface.
func (fr *frame) bindDynamic(v any, name string) *funcValue {
	switch x := v.(type) {
	case nil:
		return nilIface
	case *box:
		ms := fr.in.methodSet(x.t)
		s := ms.Lookup(fr.in.p.Pkg, name)
		if s == nil {
			fr.in.fail("internal: %s has no method %s", x.t, name)
		}
		p := s.Index()
		fn := s.Obj().(*types.Func)
		if pc, ok := x.v.(*cell); ok && pc == nil && !hasPtrRecv(fn) {
			// The itab holds the (*T).M wrapper: it panics when it
			// runs, not when the method is bound.
			return &funcValue{name: funcName(fn), native: func([]any) []any {
				if len(p) == 1 {
					t := x.t.(*types.Pointer).Elem().(*types.Named).Obj()
					fr.plainRuntimeError("value method " + t.Pkg().Name() + "." + t.Name() + "." + name + " called using nil *" + t.Name() + " pointer")
				}
				fr.nilDeref()
				return nil
			}}
		}
		return fr.bind(x.v, x.t, nil, fn, p[:len(p)-1])
	case *errorValue:
		return &funcValue{name: x.typeName() + "." + name, native: func([]any) []any { return x.method(name) }}
	case *chain.RuntimeError:
		return &funcValue{name: "runtime.Error." + name, native: func([]any) []any {
			if name == "RuntimeError" {
				return nil
			}
			return []any{x.Error()}
		}}
	}
	fr.in.fail("internal: method %s of a %T", name, v)
	return nil
}

// methodSet caches the method sets of dynamic types.
func (in *interp) methodSet(t types.Type) *types.MethodSet {
	if ms, ok := in.msets[t]; ok {
		return ms
	}
	ms := types.NewMethodSet(t)
	in.msets[t] = ms
	return ms
}

// funcName is the runtime's name of a method: main.T.M, main.(*T).M.
func funcName(fn *types.Func) string {
	full := fn.FullName() // (*main.T).M or (main.T).M
	if strings.HasPrefix(full, "(*") {
		pkgT, m, _ := strings.Cut(full[2:], ").")
		pkg, t, _ := strings.Cut(pkgT, ".")
		return pkg + ".(*" + t + ")." + m
	}
	if strings.HasPrefix(full, "(") {
		pkgT, m, _ := strings.Cut(full[1:], ").")
		return pkgT + "." + m
	}
	return full
}

// stringMethod calls the method name (Error or String, with signature
// func() string) of the interface value v when its dynamic type has it.
func (in *interp) stringMethod(fr *frame, v any, name string) (string, bool) {
	switch x := v.(type) {
	case *errorValue:
		if name == "Error" {
			return x.msg, true
		}
		return "", false
	case *chain.RuntimeError:
		if name == "Error" {
			return x.Error(), true
		}
		return "", false
	case *box:
		s := in.methodSet(x.t).Lookup(in.p.Pkg, name)
		if s == nil {
			return "", false
		}
		sig := s.Obj().(*types.Func).Signature()
		if sig.Params().Len() != 0 || sig.Results().Len() != 1 || !types.Identical(sig.Results().At(0).Type(), types.Typ[types.String]) {
			return "", false
		}
		if fr == nil {
			fr = &frame{in: in}
		}
		p := s.Index()
		fv := fr.bind(x.v, x.t, nil, s.Obj().(*types.Func), p[:len(p)-1])
		out := in.call(fv, nil)
		str, _ := out[0].(string)
		return str, true
	}
	return "", false
}
