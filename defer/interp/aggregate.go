package interp

import (
	"cmp"
	"fmt"
	"go/types"
	"slices"
	"strings"
)

// Structs, arrays and maps.
//
// A struct or an array value holds one variable (a *cell) per field or
// element, so &s.f and &a[i] are pointers to those variables, as in Go.
// Struct and array values have value semantics: convert (the one place
// a value moves into a variable, an argument, a result, an element or an
// interface) copies them, and a store into a variable that holds one
// copies into its fields in place, so pointers to them stay valid.

// A structVal is a struct value.
type structVal struct{ f []*cell }

// An arrayVal is an array value.
type arrayVal struct{ e []*cell }

// A mapVal is a map; the nil *mapVal is a nil map.
type mapVal struct {
	entries map[any]*mapEntry
}

type mapEntry struct{ k, v any }

// parts are the variables of a struct's fields or an array's elements.
func parts(v any) []*cell {
	if s, ok := v.(*structVal); ok {
		return s.f
	}
	return v.(*arrayVal).e
}

// copyVal returns v, or a copy of v when v has value semantics.
func copyVal(v any) any {
	switch x := v.(type) {
	case *structVal:
		return &structVal{f: copyCells(x.f)}
	case *arrayVal:
		return &arrayVal{e: copyCells(x.e)}
	case cloner:
		return x.clone()
	}
	return v
}

// copyCells returns new variables holding copies of the values of cs.
func copyCells(cs []*cell) []*cell {
	out := make([]*cell, len(cs))
	for i, c := range cs {
		out[i] = &cell{copyVal(c.v)}
	}
	return out
}

// set stores v in c: into the fields of the struct or array c holds, in
// place, so that pointers to them see the new value.
func (c *cell) set(v any) {
	switch c.v.(type) {
	case *structVal, *arrayVal:
		if v != c.v {
			news := parts(v)
			for i, p := range parts(c.v) {
				p.set(news[i].v)
			}
			return
		}
	}
	c.v = v
}

func zeroStruct(t *types.Struct) *structVal {
	s := &structVal{f: make([]*cell, t.NumFields())}
	for i := range s.f {
		s.f[i] = &cell{zero(t.Field(i).Type())}
	}
	return s
}

func zeroArray(t *types.Array) *arrayVal {
	a := &arrayVal{e: make([]*cell, t.Len())}
	for i := range a.e {
		a.e[i] = &cell{zero(t.Elem())}
	}
	return a
}

// mapKey is the Go map key the model keeps a map entry under: equal
// keys (as == compares them) give equal mapKeys.
func mapKey(v any) (any, error) {
	switch x := v.(type) {
	case nil, int, bool, string, float64, *cell, *channel, *errorValue, *mapVal:
		return x, nil
	case *box:
		switch x.v.(type) {
		case *slice, *funcValue:
			return nil, fmt.Errorf("hash of unhashable type %s", x.t)
		case *mapVal:
			return nil, fmt.Errorf("hash of unhashable type %s", x.t)
		}
		k, err := mapKey(x.v)
		if err != nil {
			return nil, err
		}
		return boxKey{types.TypeString(x.t, nil), k}, nil
	case *structVal, *arrayVal:
		var b strings.Builder
		b.WriteByte('{')
		for _, c := range parts(x) {
			k, err := mapKey(c.v)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "%T:%#v;", k, k)
		}
		return aggKey(b.String()), nil
	}
	return v, nil
}

// aggKey is the mapKey of a struct or array key.
type aggKey string

func (m *mapVal) get(k any) (*mapEntry, error) {
	if m == nil {
		return nil, nil
	}
	mk, err := mapKey(k)
	if err != nil {
		return nil, err
	}
	return m.entries[mk], nil
}

func (m *mapVal) put(k, v any) error {
	mk, err := mapKey(k)
	if err != nil {
		return err
	}
	if e, ok := m.entries[mk]; ok {
		e.v = v
		return nil
	}
	m.entries[mk] = &mapEntry{k: k, v: v}
	return nil
}

// sorted returns the entries in the order fmt prints them
// (internal/fmtsort), which is also the order range visits them in the
// model.
func (m *mapVal) sorted() []*mapEntry {
	if m == nil {
		return nil
	}
	es := make([]*mapEntry, 0, len(m.entries))
	for _, e := range m.entries {
		es = append(es, e)
	}
	slices.SortFunc(es, func(a, b *mapEntry) int { return compareKeys(a.k, b.k) })
	return es
}

// compareKeys orders map keys as internal/fmtsort does: numbers, strings
// and bools by value, structs and arrays field by field, interfaces by
// their dynamic type first, nil first.
func compareKeys(a, b any) int {
	switch x := a.(type) {
	case int:
		return cmp.Compare(x, b.(int))
	case float64:
		return cmp.Compare(x, b.(float64))
	case string:
		return cmp.Compare(x, b.(string))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case *structVal, *arrayVal:
		ys := parts(b)
		for i, c := range parts(x) {
			if c := compareKeys(c.v, ys[i].v); c != 0 {
				return c
			}
		}
		return 0
	case nil:
		if b == nil {
			return 0
		}
		return -1
	case *box:
		y, ok := b.(*box)
		if !ok {
			if b == nil {
				return 1
			}
			return 0
		}
		if c := cmp.Compare(types.TypeString(x.t, nil), types.TypeString(y.t, nil)); c != 0 {
			return c
		}
		return compareKeys(x.v, y.v)
	}
	if b == nil {
		return 1
	}
	return 0
}
