package interp

import (
	"fmt"
	"go/constant"
	"go/types"
	"strconv"

	"github.com/deferio/deferio/defer/chain"
)

// Values of the interpreted program are Go values of these shapes:
//
//	int, bool, string    the basic types
//	*cell                a pointer (nil: a nil pointer)
//	*slice               a slice (nil: a nil slice)
//	*funcValue           a func value (nil: a nil func)
//	*box                 an interface holding a non-pointer value
//	*errorValue          an interface holding an error made by errors.New or fmt.Errorf
//	*chain.RuntimeError  an interface holding a runtime error
//	nil                  a nil interface
//
// Interface values keep pointer identity as the runtime's eface data word
// does, which is what decides "[recovered, repanicked]".

// A cell is a variable.
type cell struct{ v any }

// A slice is a view of a backing array of variables: its elements are
// cells, so &s[i] is a pointer to the element, and a slice of an array
// shares the array's cells.
type slice struct {
	arr      *[]*cell
	off, len int
	cap      int
}

// at is s[i], which the caller has checked.
func (s *slice) at(i int) any { return (*s.arr)[s.off+i].v }

// cellAt is the variable s[i].
func (s *slice) cellAt(i int) *cell { return (*s.arr)[s.off+i] }

// values returns a copy of the elements' values.
func (s *slice) values() []any {
	if s == nil {
		return nil
	}
	vals := make([]any, s.len)
	for i := range vals {
		vals[i] = s.at(i)
	}
	return vals
}

// cellsOf makes a backing array holding vals.
func cellsOf(vals []any) *[]*cell {
	cs := make([]*cell, len(vals))
	for i, v := range vals {
		cs[i] = &cell{v}
	}
	return &cs
}

// A box is an interface value whose dynamic type is not pointer-shaped.
type box struct {
	t types.Type
	v any
}

// smallBoxes models the runtime's staticuint64s and the compiler's static
// data for constants: converting the same small integer, bool or constant
// to an interface gives the same data word.
type boxKey struct {
	t string
	v any
}

func (in *interp) boxOf(t types.Type, v any, isConst bool) *box {
	share := isConst
	switch x := v.(type) {
	case int:
		share = share || (x >= 0 && x < 256)
	case bool:
		share = true
	case string:
		share = share || x == ""
	}
	if !share {
		return &box{t: t, v: v}
	}
	k := boxKey{types.TypeString(t, nil), v}
	if b, ok := in.boxes[k]; ok {
		return b
	}
	b := &box{t: t, v: v}
	in.boxes[k] = b
	return b
}

func isInterface(t types.Type) bool {
	_, ok := t.Underlying().(*types.Interface)
	return ok
}

// convert turns v, of static type from, into a value of type to: only a
// conversion to an interface type changes the representation.
func (in *interp) convert(v any, from, to types.Type, isConst bool) any {
	v = copyVal(v)
	if to == nil || from == nil || !isInterface(to) || isInterface(from) {
		return v
	}
	if b, ok := from.(*types.Basic); ok && b.Kind() == types.UntypedNil {
		return nil
	}
	if b, ok := from.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		from = types.Default(from)
	}
	return in.boxOf(from, v, isConst)
}

// zero returns the zero value of t.
func zero(t types.Type) any {
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() != "main" {
		if z, ok := libZero[n.Obj().Pkg().Path()+"."+n.Obj().Name()]; ok {
			return z()
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return false
		case u.Info()&types.IsString != 0:
			return ""
		case u.Info()&types.IsInteger != 0:
			return 0
		case u.Info()&types.IsFloat != 0:
			return 0.0
		}
	case *types.Struct:
		return zeroStruct(u)
	case *types.Array:
		return zeroArray(u)
	case *types.Map:
		return (*mapVal)(nil)
	case *types.Pointer:
		return (*cell)(nil)
	case *types.Slice:
		return (*slice)(nil)
	case *types.Signature:
		return (*funcValue)(nil)
	case *types.Chan:
		return (*channel)(nil)
	}
	return nil
}

// constValue returns the value of a constant of type t.
func constValue(v constant.Value, t types.Type) (any, error) {
	switch v.Kind() {
	case constant.Bool:
		return constant.BoolVal(v), nil
	case constant.String:
		return constant.StringVal(v), nil
	case constant.Int:
		if isFloat(t) {
			f, _ := constant.Float64Val(v)
			return f, nil
		}
		i, ok := constant.Int64Val(v)
		if !ok {
			return nil, fmt.Errorf("constant %s overflows int", v)
		}
		return int(i), nil
	case constant.Float:
		if !isFloat(t) {
			i, ok := constant.Int64Val(constant.ToInt(v))
			if !ok {
				return nil, fmt.Errorf("constant %s overflows int", v)
			}
			return int(i), nil
		}
		f, _ := constant.Float64Val(v)
		return f, nil
	}
	return nil, fmt.Errorf("constant %s of type %s is outside the subset", v, t)
}

// panicText is what the runtime prints for a panic value: the Error
// result of an error, the String result of a Stringer (preprintpanics),
// else printpanicval, which names the program's own types:
// main.code(3), main.msg("hi").
func (in *interp) panicText(v any, methods bool) (string, error) {
	if b, ok := v.(*box); ok && methods {
		if types.Implements(b.t, errorType) {
			if s, ok := in.stringMethod(nil, b, "Error"); ok {
				return s, nil
			}
		}
		if s, ok := in.stringMethod(nil, b, "String"); ok {
			return s, nil
		}
	}
	if b, ok := v.(*box); ok {
		if n, ok := b.t.(*types.Named); ok {
			inner, err := in.panicText(&box{t: n.Underlying(), v: b.v}, false)
			if err != nil {
				return "", err
			}
			if _, isStr := b.v.(string); isStr {
				inner = `"` + inner + `"`
			}
			return types.TypeString(n, nil) + "(" + inner + ")", nil
		}
	}
	switch x := v.(type) {
	case *errorValue:
		return x.msg, nil
	case *chain.RuntimeError:
		return x.Error(), nil
	case *box:
		switch y := x.v.(type) {
		case int:
			return strconv.Itoa(y), nil
		case bool:
			return strconv.FormatBool(y), nil
		case string:
			return y, nil
		}
		return "", fmt.Errorf("panic with a value of type %s: Go prints its address, which the model cannot reproduce", x.t)
	case nil:
		return "panic called with nil argument", nil
	}
	return "", fmt.Errorf("panic with a value of Go type %T the model does not know", v)
}

// typeName is the runtime's name of an interface value's dynamic type.
func typeName(v any) string {
	switch x := v.(type) {
	case *box:
		return types.TypeString(x.t, nil)
	case *errorValue:
		return "*errors.errorString"
	case *chain.RuntimeError:
		return "runtime.Error"
	}
	return "nil"
}

func isFloat(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsFloat != 0
}

// equal compares two values of the same static type, or two interface
// values, as == does.
func equal(a, b any) (bool, error) {
	if a == nil || b == nil {
		return isNil(a) && isNil(b), nil
	}
	switch x := a.(type) {
	case *box:
		y, ok := b.(*box)
		if !ok {
			return false, nil
		}
		if x == y {
			return true, nil
		}
		if !types.Identical(x.t, y.t) {
			return false, nil
		}
		if !types.Comparable(x.t) {
			return false, fmt.Errorf("comparing uncomparable type %s", x.t)
		}
		return equal(x.v, y.v)
	case *slice:
		y, _ := b.(*slice)
		return x == nil && y == nil, nil
	case *mapVal:
		y, _ := b.(*mapVal)
		return x == nil && y == nil, nil
	case *structVal, *arrayVal:
		ys := parts(b)
		for i, c := range parts(x) {
			if eq, err := equal(c.v, ys[i].v); err != nil || !eq {
				return eq, err
			}
		}
		return true, nil
	case *funcValue:
		y, _ := b.(*funcValue)
		return x == nil && y == nil, nil
	}
	return a == b, nil
}

// isNil reports whether v is a nil pointer, slice, func or interface.
func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *cell:
		return x == nil
	case *slice:
		return x == nil
	case *funcValue:
		return x == nil
	case *mapVal:
		return x == nil
	case *channel:
		return x == nil
	}
	return false
}
