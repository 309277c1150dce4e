package interp

import (
	"go/ast"
	"go/types"

	"github.com/deferio/deferio/defer/chain"
)

// An errorValue is an error made by the library: errors.New
// (*errors.errorString), fmt.Errorf (*fmt.wrapError with one %w,
// *fmt.wrapErrors with more), errors.Join (*errors.joinError), strconv's
// *strconv.NumError, and the runtime's own error values.
type errorValue struct {
	msg string
	// typ is the dynamic type's name; "" is *errors.errorString.
	typ string
	// wrapped are the errors Unwrap returns.
	wrapped []any
}

func (e *errorValue) typeName() string {
	if e.typ == "" {
		return "*errors.errorString"
	}
	return e.typ
}

// unwrapsOne reports whether the type's Unwrap returns one error (as
// opposed to []error, or no Unwrap at all).
func (e *errorValue) unwrapsOne() bool {
	return e.typ == "*fmt.wrapError" || e.typ == "*strconv.NumError"
}

func (e *errorValue) unwrapsMany() bool {
	return e.typ == "*fmt.wrapErrors" || e.typ == "*errors.joinError"
}

func (e *errorValue) method(name string) []any {
	if name == "RuntimeError" {
		return nil
	}
	if name == "Unwrap" && e.unwrapsOne() {
		if len(e.wrapped) == 0 {
			return []any{nil}
		}
		return []any{e.wrapped[0]}
	}
	return []any{e.msg}
}

// hasMethods reports whether the error's dynamic type has every method of
// the interface t.
func (e *errorValue) implements(t *types.Interface) bool {
	for m := range t.Methods() {
		switch {
		case m.Name() == "Error":
		case m.Name() == "RuntimeError" && e.typ == "*runtime.TypeAssertionError":
		case m.Name() == "Unwrap" && (e.unwrapsOne() || e.unwrapsMany()):
			res := m.Signature().Results()
			if res.Len() != 1 {
				return false
			}
			_, many := res.At(0).Type().(*types.Slice)
			if many != e.unwrapsMany() {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// unwrap is what errors.Unwrap returns: the one wrapped error, else nil.
func (fr *frame) unwrap(err any) any {
	switch x := err.(type) {
	case *errorValue:
		if x.unwrapsOne() && len(x.wrapped) > 0 {
			return x.wrapped[0]
		}
	case *box:
		if out, ok := fr.callUnwrap(x); ok && len(out) == 1 {
			return out[0]
		}
	}
	return nil
}

// unwrapAll is every error err wraps (Unwrap() error or Unwrap() []error).
func (fr *frame) unwrapAll(err any) []any {
	switch x := err.(type) {
	case *errorValue:
		return x.wrapped
	case *box:
		out, _ := fr.callUnwrap(x)
		return out
	}
	return nil
}

// callUnwrap calls the Unwrap method of a program's error type.
func (fr *frame) callUnwrap(b *box) ([]any, bool) {
	s := fr.in.methodSet(b.t).Lookup(fr.in.p.Pkg, "Unwrap")
	if s == nil {
		return nil, false
	}
	fn := s.Obj().(*types.Func)
	if fn.Signature().Params().Len() != 0 || fn.Signature().Results().Len() != 1 {
		return nil, false
	}
	p := s.Index()
	out := fr.in.call(fr.bind(b.v, b.t, nil, fn, p[:len(p)-1]), nil)
	switch r := out[0].(type) {
	case *slice:
		if r == nil {
			return nil, true
		}
		return r.values(), true
	case nil:
		return nil, true
	}
	return []any{out[0]}, true
}

// errorsIs is errors.Is: err or an error it wraps (depth first) is
// target, by == or by an Is method.
func (fr *frame) errorsIs(err, target any) bool {
	if err == nil || target == nil {
		return err == target
	}
	comparable := true
	if b, ok := target.(*box); ok {
		comparable = types.Comparable(b.t)
	}
	return fr.is(err, target, comparable)
}

func (fr *frame) is(err, target any, comparable bool) bool {
	for {
		if comparable {
			if eq, _ := equal(err, target); eq {
				return true
			}
		}
		if b, ok := err.(*box); ok {
			if s := fr.in.methodSet(b.t).Lookup(fr.in.p.Pkg, "Is"); s != nil {
				p := s.Index()
				out := fr.in.call(fr.bind(b.v, b.t, nil, s.Obj().(*types.Func), p[:len(p)-1]), []any{target})
				if ok, _ := out[0].(bool); ok {
					return true
				}
			}
		}
		next := fr.unwrapAll(err)
		if isMany(err) {
			for _, e := range next {
				if e != nil && fr.is(e, target, comparable) {
					return true
				}
			}
			return false
		}
		if len(next) == 0 || next[0] == nil {
			return false
		}
		err = next[0]
	}
}

// isMany reports whether err's Unwrap returns []error.
func isMany(err any) bool {
	switch x := err.(type) {
	case *errorValue:
		return x.unwrapsMany()
	case *box:
		return false // a program's Unwrap []error is walked as one list too
	}
	return false
}

// errorsAs is errors.As: the first error in err's tree whose dynamic
// type is assignable to *target's type is stored in *target.
func (fr *frame) errorsAs(e *ast.CallExpr, err any, target any) bool {
	info := fr.in.p.Info
	pt, ok := info.TypeOf(e.Args[1]).Underlying().(*types.Pointer)
	tc, _ := target.(*cell)
	if !ok || tc == nil {
		fr.in.panic(&errorValue{msg: "errors: target must be a non-nil pointer"}, "errors: target must be a non-nil pointer")
	}
	want := pt.Elem()
	var walk func(err any) bool
	walk = func(err any) bool {
		for err != nil {
			if v, ok := fr.assignable(err, want); ok {
				tc.set(v)
				return true
			}
			next := fr.unwrapAll(err)
			if isMany(err) {
				for _, n := range next {
					if walk(n) {
						return true
					}
				}
				return false
			}
			if len(next) == 0 {
				return false
			}
			err = next[0]
		}
		return false
	}
	return walk(err)
}

// assignable is v converted to t when the dynamic type of the interface
// value v is assignable to t.
func (fr *frame) assignable(v any, t types.Type) (any, bool) {
	if iface, ok := t.Underlying().(*types.Interface); ok {
		if fr.implements(v, iface) {
			return v, true
		}
		return nil, false
	}
	if b, ok := v.(*box); ok && types.Identical(b.t, t) {
		return copyVal(b.v), true
	}
	return nil, false
}

// implements reports whether the dynamic type of v has the methods of t.
func (fr *frame) implements(v any, t *types.Interface) bool {
	switch x := v.(type) {
	case nil:
		return false
	case *box:
		return types.Implements(x.t, t)
	case *errorValue:
		return x.implements(t)
	case *chain.RuntimeError:
		for m := range t.Methods() {
			if m.Name() != "Error" && m.Name() != "RuntimeError" {
				return false
			}
		}
		return true
	}
	return t.Empty()
}
