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

// copyVal returns v, or a copy of v when v has value semantics.
func copyVal(v any) any {
	switch x := v.(type) {
	case *structVal:
		c := &structVal{f: make([]*cell, len(x.f))}
		for i, f := range x.f {
			c.f[i] = &cell{copyVal(f.v)}
		}
		return c
	case *arrayVal:
		c := &arrayVal{e: make([]*cell, len(x.e))}
		for i, e := range x.e {
			c.e[i] = &cell{copyVal(e.v)}
		}
		return c
	case cloner:
		return x.clone()
	}
	return v
}

// set stores v in c: into the fields of the struct or array c holds, in
// place, so that pointers to them see the new value.
func (c *cell) set(v any) {
	switch old := c.v.(type) {
	case *structVal:
		if nv, ok := v.(*structVal); ok && nv != old {
			for i, f := range old.f {
				f.set(nv.f[i].v)
			}
			return
		}
	case *arrayVal:
		if nv, ok := v.(*arrayVal); ok && nv != old {
			for i, e := range old.e {
				e.set(nv.e[i].v)
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
		var cells []*cell
		if s, ok := x.(*structVal); ok {
			cells = s.f
		} else {
			cells = x.(*arrayVal).e
		}
		b.WriteByte('{')
		for _, c := range cells {
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
	case *structVal:
		y := b.(*structVal)
		for i := range x.f {
			if c := compareKeys(x.f[i].v, y.f[i].v); c != 0 {
				return c
			}
		}
		return 0
	case *arrayVal:
		y := b.(*arrayVal)
		for i := range x.e {
			if c := compareKeys(x.e[i].v, y.e[i].v); c != 0 {
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
