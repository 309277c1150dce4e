package interp

import (
	"cmp"
	"go/ast"
	"go/token"
	"go/types"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The library's functions: each has its Go signature (the type checker
// sees exactly these) and its implementation on the model's values,
// which gives Go's results and Go's errors. Arguments arrive converted
// to the parameter types; a variadic ...any arrives as one *slice.

type libFunc struct {
	sig func(t *libTypes) *types.Signature
	run func(fr *frame, e *ast.CallExpr, args []any) []any
}

// libTypes are the types signatures are built from.
type libTypes struct {
	any, err, int, int64, f64, str, bool, writer types.Type
	// sortIface is sort.Interface, set by the importer that declares it.
	sortIface        types.Type
	strs, ints, anys types.Type
}

func newLibTypes() *libTypes {
	t := &libTypes{any: types.Universe.Lookup("any").Type(), err: types.Universe.Lookup("error").Type(),
		int: types.Typ[types.Int], int64: types.Typ[types.Int64], f64: types.Typ[types.Float64], writer: ioWriter(), str: types.Typ[types.String], bool: types.Typ[types.Bool]}
	t.strs, t.ints, t.anys = types.NewSlice(t.str), types.NewSlice(t.int), types.NewSlice(t.any)
	return t
}

func params(ts ...types.Type) *types.Tuple {
	vs := make([]*types.Var, len(ts))
	for i, t := range ts {
		vs[i] = types.NewParam(token.NoPos, nil, "", t)
	}
	return types.NewTuple(vs...)
}

func fn(in []types.Type, out ...types.Type) func(*libTypes) *types.Signature {
	return func(*libTypes) *types.Signature {
		return types.NewSignatureType(nil, nil, nil, params(in...), params(out...), false)
	}
}

func variadic(in []types.Type, out ...types.Type) func(*libTypes) *types.Signature {
	return func(*libTypes) *types.Signature {
		return types.NewSignatureType(nil, nil, nil, params(in...), params(out...), true)
	}
}

func ts(t ...types.Type) []types.Type { return t }

// setElems stores vals in the elements of the slice value v.
func setElems(v any, vals []any) {
	s, _ := v.(*slice)
	for i, x := range vals {
		s.cellAt(i).v = x
	}
}

// sliceElems returns the values of the elements of a slice value.
func sliceElems(v any) []any {
	s, _ := v.(*slice)
	if s == nil {
		return nil
	}
	return s.values()
}

func newSlice(vals []any) *slice {
	return &slice{arr: cellsOf(vals), len: len(vals), cap: len(vals)}
}

func stringSlice(ss []string) *slice {
	vals := make([]any, len(ss))
	for i, s := range ss {
		vals[i] = s
	}
	return newSlice(vals)
}

func (fr *frame) limitString(e ast.Node, n int) {
	if n > maxLen {
		fr.in.fail("%s: a string longer than %d bytes is beyond the model's memory limit", fr.in.p.Fset.Position(e.Pos()), maxLen)
	}
}

// numError is a *strconv.NumError as strconv returns it.
func numError(err error) any {
	if err == nil {
		return nil
	}
	ne := err.(*strconv.NumError)
	return &errorValue{msg: err.Error(), typ: "*strconv.NumError", wrapped: []any{&errorValue{msg: ne.Err.Error()}}}
}

var libFuncs map[string]map[string]libFunc

func init() {
	t := newLibTypes()
	fmtPrint := fmtSig(t)
	printing := func(name string, f bool) libFunc {
		return libFunc{run: func(fr *frame, e *ast.CallExpr, args []any) []any {
			format := ""
			if f {
				format, args = args[0].(string), args[1:]
			}
			return fr.fmtCall(e, name, format, sliceElems(args[0]))
		}}
	}
	libFuncs = map[string]map[string]libFunc{
		"fmt":     fmtLib(t),
		"errors":  errorsLib(t),
		"strings": stringsLib(t),
		"strconv": strconvLib(t),
		"log":     {},
		"math":    mathLib(t),
		"sort":    sortLib(t),
	}
	for _, name := range []string{"Println", "Print", "Printf", "Sprint", "Sprintln", "Sprintf", "Errorf"} {
		f := libFuncs["fmt"][name]
		f.run = printing("fmt."+name, strings.HasSuffix(name, "f")).run
		libFuncs["fmt"][name] = f
	}
	for _, name := range []string{"Fprint", "Fprintln", "Fprintf"} {
		f := libFuncs["fmt"][name]
		f.run = func(fr *frame, e *ast.CallExpr, args []any) []any {
			w, format := args[0], ""
			args = args[1:]
			if name == "Fprintf" {
				format, args = args[0].(string), args[1:]
			}
			return fr.fprint(e, "fmt."+name, w, format, sliceElems(args[0]))
		}
		libFuncs["fmt"][name] = f
	}
	// log writes to stderr with the time; the model's clock stands at
	// the Go playground's 2009/11/10 23:00:00, so runs stay deterministic.
	for _, kind := range []string{"Print", "Fatal", "Panic"} {
		for _, suffix := range []string{"", "f", "ln"} {
			name, fmtName := kind+suffix, "fmt.Sprint"+suffix
			libFuncs["log"][name] = libFunc{sig: fmtPrint(suffix == "f"), run: func(fr *frame, e *ast.CallExpr, args []any) []any {
				format := ""
				if suffix == "f" {
					format, args = args[0].(string), args[1:]
				}
				msg := fr.fmtCall(e, fmtName, format, sliceElems(args[0]))[0].(string)
				fr.logLine(e, msg)
				switch kind {
				case "Fatal":
					fr.in.g.Exit(1)
				case "Panic":
					v := fr.in.convert(msg, types.Typ[types.String], t.any, false)
					fr.in.panic(v, msg)
				}
				return nil
			}}
		}
	}
	for path, fns := range libFuncs {
		for name := range fns {
			library[path] = append(library[path], name)
		}
		slices.Sort(library[path])
	}
}

func lessType() types.Type {
	return types.NewSignatureType(nil, nil, nil, params(types.Typ[types.Int], types.Typ[types.Int]), params(types.Typ[types.Bool]), false)
}

// sortSlice is sort.Slice and sort.SliceStable: the real sort runs, with
// less and swap on the model's slice, so the order of equal elements is
// Go's own (sort.Sort and sort.Slice share one algorithm).
func sortSlice(stable bool) func(fr *frame, e *ast.CallExpr, a []any) []any {
	return func(fr *frame, e *ast.CallExpr, a []any) []any {
		b, _ := a[0].(*box)
		var s *slice
		if b != nil {
			s, _ = b.v.(*slice)
		}
		if b == nil || (s == nil && !isSliceType(b.t)) {
			msg := "reflect: call of Swapper on " + dynTypeString(a[0]) + " Value"
			fr.in.panic(&errorValue{msg: msg, typ: "*reflect.ValueError"}, msg)
		}
		less, _ := a[1].(*funcValue)
		if less == nil && s != nil && s.len > 1 {
			fr.nilDeref()
		}
		data := &modelSort{fr: fr, s: s, less: less}
		if stable {
			sort.Stable(data)
		} else {
			sort.Sort(data)
		}
		return nil
	}
}

func isSliceType(t types.Type) bool {
	_, ok := t.Underlying().(*types.Slice)
	return ok
}

type modelSort struct {
	fr   *frame
	s    *slice
	less *funcValue
}

func (m *modelSort) Len() int {
	if m.s == nil {
		return 0
	}
	return m.s.len
}

func (m *modelSort) Less(i, j int) bool {
	return m.fr.in.call(m.less, []any{i, j})[0].(bool)
}

func (m *modelSort) Swap(i, j int) {
	a, b := m.s.cellAt(i), m.s.cellAt(j)
	a.v, b.v = b.v, a.v
}

// errorsJoin is errors.Join: nil when every error is nil; its message
// is each error's, one per line.
func (fr *frame) errorsJoin(errs []any) any {
	var kept []any
	var msgs []string
	for _, e := range errs {
		if e == nil {
			continue
		}
		kept = append(kept, e)
		s, _ := fr.in.stringMethod(fr, e, "Error")
		msgs = append(msgs, s)
	}
	if len(kept) == 0 {
		return nil
	}
	return &errorValue{typ: "*errors.joinError", wrapped: kept, msg: strings.Join(msgs, "\n")}
}

// logLine writes msg as the standard logger does: time, message, and a
// newline if msg has none.
func (fr *frame) logLine(e ast.Node, msg string) {
	fr.in.stderr.WriteString("2009/11/10 23:00:00 " + msg)
	if !strings.HasSuffix(msg, "\n") {
		fr.in.stderr.WriteString("\n")
	}
	fr.in.checkOutput(e)
}

func sortSig(lt *libTypes) *types.Signature {
	return types.NewSignatureType(nil, nil, nil, params(lt.sortIface), nil, false)
}

// sortInterface is sort.Sort and sort.Stable: Go's own algorithms, calling
// the program's Len, Less and Swap methods in Go's order.
func sortInterface(stable bool) func(fr *frame, e *ast.CallExpr, a []any) []any {
	return func(fr *frame, e *ast.CallExpr, a []any) []any {
		data := &progSort{fr: fr}
		for i, name := range []string{"Len", "Less", "Swap"} {
			data.m[i] = fr.bindDynamic(a[0], name)
			fr.checkBound(data.m[i])
		}
		if stable {
			sort.Stable(data)
		} else {
			sort.Sort(data)
		}
		return nil
	}
}

// progSort is a sort.Interface of the program: its Len, Less and Swap.
type progSort struct {
	fr *frame
	m  [3]*funcValue
}

func (p *progSort) Len() int           { return p.fr.in.call(p.m[0], nil)[0].(int) }
func (p *progSort) Less(i, j int) bool { return p.fr.in.call(p.m[1], []any{i, j})[0].(bool) }
func (p *progSort) Swap(i, j int)      { p.fr.in.call(p.m[2], []any{i, j}) }

// fmtSig returns the signatures of fmt's printing functions: with a
// format first when f, then ...any, and the results out.
func fmtSig(t *libTypes) func(f bool, out ...types.Type) func(*libTypes) *types.Signature {
	return func(f bool, out ...types.Type) func(*libTypes) *types.Signature {
		if f {
			return variadic(ts(t.str, t.anys), out...)
		}
		return variadic(ts(t.anys), out...)
	}
}

// fmtLib is package fmt of the library.
func fmtLib(t *libTypes) map[string]libFunc {
	fmtPrint := fmtSig(t)
	nErr := ts(t.int, t.err)
	return map[string]libFunc{
		"Println":  {sig: fmtPrint(false, nErr...)},
		"Print":    {sig: fmtPrint(false, nErr...)},
		"Printf":   {sig: fmtPrint(true, nErr...)},
		"Sprint":   {sig: fmtPrint(false, t.str)},
		"Sprintln": {sig: fmtPrint(false, t.str)},
		"Sprintf":  {sig: fmtPrint(true, t.str)},
		"Errorf":   {sig: fmtPrint(true, t.err)},
		"Fprint":   {sig: variadic(ts(t.writer, t.anys), nErr...)},
		"Fprintln": {sig: variadic(ts(t.writer, t.anys), nErr...)},
		"Fprintf":  {sig: variadic(ts(t.writer, t.str, t.anys), nErr...)},
	}
}

// errorsLib is package errors of the library.
func errorsLib(t *libTypes) map[string]libFunc {
	return map[string]libFunc{
		"New": {sig: fn(ts(t.str), t.err), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			return []any{&errorValue{msg: a[0].(string)}}
		}},
		"Is": {sig: fn(ts(t.err, t.err), t.bool), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			return []any{fr.errorsIs(a[0], a[1])}
		}},
		"As": {sig: fn(ts(t.err, t.any), t.bool), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			var target any
			if b, ok := a[1].(*box); ok {
				target = b.v
			}
			return []any{fr.errorsAs(e, a[0], target)}
		}},
		"Unwrap": {sig: fn(ts(t.err), t.err), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			return []any{fr.unwrap(a[0])}
		}},
		"Join": {sig: variadic(ts(types.NewSlice(t.err)), t.err), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			return []any{fr.errorsJoin(sliceElems(a[0]))}
		}},
	}
}

// stringsLib is package strings of the library.
func stringsLib(t *libTypes) map[string]libFunc {
	return map[string]libFunc{
		"Contains":   lib2(t.str, t.str, t.bool, strings.Contains),
		"HasPrefix":  lib2(t.str, t.str, t.bool, strings.HasPrefix),
		"HasSuffix":  lib2(t.str, t.str, t.bool, strings.HasSuffix),
		"EqualFold":  lib2(t.str, t.str, t.bool, strings.EqualFold),
		"TrimSpace":  lib1(t.str, t.str, strings.TrimSpace),
		"ToUpper":    lib1(t.str, t.str, strings.ToUpper),
		"ToLower":    lib1(t.str, t.str, strings.ToLower),
		"TrimPrefix": lib2(t.str, t.str, t.str, strings.TrimPrefix),
		"TrimSuffix": lib2(t.str, t.str, t.str, strings.TrimSuffix),
		"Trim":       lib2(t.str, t.str, t.str, strings.Trim),
		"ReplaceAll": {sig: fn(ts(t.str, t.str, t.str), t.str), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			s, old, nw := a[0].(string), a[1].(string), a[2].(string)
			if old != "" {
				fr.limitString(e, len(s)+strings.Count(s, old)*len(nw))
			} else {
				fr.limitString(e, len(s)+(len(s)+1)*len(nw))
			}
			return []any{strings.ReplaceAll(s, old, nw)}
		}},
		"Index": lib2(t.str, t.str, t.int, strings.Index),
		"Count": lib2(t.str, t.str, t.int, strings.Count),
		"Repeat": {sig: fn(ts(t.str, t.int), t.str), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			s, n := a[0].(string), a[1].(int)
			if n < 0 {
				fr.in.panic(&errorValue{msg: "strings: negative Repeat count"}, "strings: negative Repeat count")
			}
			if len(s) > 0 && n > maxLen/len(s) {
				fr.limitString(e, maxLen+1)
			}
			return []any{strings.Repeat(s, n)}
		}},
		"Split": {sig: fn(ts(t.str, t.str), t.strs), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			return []any{stringSlice(strings.Split(a[0].(string), a[1].(string)))}
		}},
		"Fields": {sig: fn(ts(t.str), t.strs), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			return []any{stringSlice(strings.Fields(a[0].(string)))}
		}},
		"Join": {sig: fn(ts(t.strs, t.str), t.str), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			var ss []string
			n := 0
			for _, v := range sliceElems(a[0]) {
				ss = append(ss, v.(string))
				n += len(v.(string)) + len(a[1].(string))
			}
			fr.limitString(e, n)
			return []any{strings.Join(ss, a[1].(string))}
		}},
	}
}

// strconvLib is package strconv of the library.
func strconvLib(t *libTypes) map[string]libFunc {
	return map[string]libFunc{
		"Itoa": lib1(t.int, t.str, strconv.Itoa),
		"Atoi": {sig: fn(ts(t.str), t.int, t.err), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			n, err := strconv.Atoi(a[0].(string))
			return []any{n, numError(err)}
		}},
		"ParseInt": {sig: fn(ts(t.str, t.int, t.int), t.int64, t.err), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			n, err := strconv.ParseInt(a[0].(string), a[1].(int), a[2].(int))
			return []any{int(n), numError(err)}
		}},
		"ParseBool": {sig: fn(ts(t.str), t.bool, t.err), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			b, err := strconv.ParseBool(a[0].(string))
			return []any{b, numError(err)}
		}},
		"FormatInt": {sig: fn(ts(t.int64, t.int), t.str), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			base := a[1].(int)
			if base < 2 || base > 36 {
				fr.in.panic(&errorValue{msg: "strconv: illegal AppendInt/FormatInt base"}, "strconv: illegal AppendInt/FormatInt base")
			}
			return []any{strconv.FormatInt(int64(a[0].(int)), base)}
		}},
		"FormatBool": lib1(t.bool, t.str, strconv.FormatBool),
		"Quote":      lib1(t.str, t.str, strconv.Quote),
		"Unquote": {sig: fn(ts(t.str), t.str, t.err), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			s, err := strconv.Unquote(a[0].(string))
			if err != nil {
				return []any{s, &errorValue{msg: err.Error()}}
			}
			return []any{s, nil}
		}},
	}
}

// mathLib is package math of the library.
func mathLib(t *libTypes) map[string]libFunc {
	return map[string]libFunc{
		"Sqrt":  lib1(t.f64, t.f64, math.Sqrt),
		"Abs":   lib1(t.f64, t.f64, math.Abs),
		"Floor": lib1(t.f64, t.f64, math.Floor),
		"Ceil":  lib1(t.f64, t.f64, math.Ceil),
		"Pow":   lib2(t.f64, t.f64, t.f64, math.Pow),
		"Max":   lib2(t.f64, t.f64, t.f64, math.Max),
		"Min":   lib2(t.f64, t.f64, t.f64, math.Min),
	}
}

// sortLib is package sort of the library.
func sortLib(t *libTypes) map[string]libFunc {
	return map[string]libFunc{
		"Ints": {sig: fn(ts(t.ints)), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			vals := sliceElems(a[0])
			slices.SortFunc(vals, func(x, y any) int { return cmp.Compare(x.(int), y.(int)) })
			setElems(a[0], vals)
			return nil
		}},
		"Strings": {sig: fn(ts(t.strs)), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			vals := sliceElems(a[0])
			slices.SortFunc(vals, func(x, y any) int { return strings.Compare(x.(string), y.(string)) })
			setElems(a[0], vals)
			return nil
		}},
		"Sort":   {sig: sortSig, run: sortInterface(false)},
		"Stable": {sig: sortSig, run: sortInterface(true)},
		"SearchInts": {sig: fn(ts(t.ints, t.int), t.int), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
			vals := sliceElems(a[0])
			x := a[1].(int)
			return []any{sort.Search(len(vals), func(i int) bool { return vals[i].(int) >= x })}
		}},
		"Slice":       {sig: fn(ts(t.any, lessType())), run: sortSlice(false)},
		"SliceStable": {sig: fn(ts(t.any, lessType())), run: sortSlice(true)},
	}
}

// lib1 is a library function of one argument and one result that the
// model runs as Go's own f.
func lib1[A, R any](in, out types.Type, f func(A) R) libFunc {
	return libFunc{sig: fn(ts(in), out), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
		return []any{f(a[0].(A))}
	}}
}

// lib2 is lib1 for two arguments.
func lib2[A, B, R any](in1, in2, out types.Type, f func(A, B) R) libFunc {
	return libFunc{sig: fn(ts(in1, in2), out), run: func(fr *frame, e *ast.CallExpr, a []any) []any {
		return []any{f(a[0].(A), a[1].(B))}
	}}
}
