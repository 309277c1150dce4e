package interp

import (
	"go/ast"
	"go/types"
	"strconv"
	"strings"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/strategy"
)

// A funcValue is a func value: a declared function or a closure with
// the variables it captured.
type funcValue struct {
	name     string
	recv     *cell // a method's receiver, evaluated at the call or defer
	decl     *ast.FuncDecl
	lit      *ast.FuncLit
	captured map[*types.Var]*cell
	// native, if set, is a function of the model's library (a method of
	// sync.Mutex, a method expression's wrapper).
	native func(args []any) []any
}

func (fv *funcValue) node() ast.Node {
	if fv.decl != nil {
		return fv.decl
	}
	return fv.lit
}

// call calls a function with arguments already converted to its
// parameter types, on a new frame of the model, and returns its results.
func (in *interp) call(fv *funcValue, args []any) []any {
	if fv.native != nil {
		return fv.native(args)
	}
	in.depth++
	defer func() { in.depth-- }()
	if in.depth > in.maxDepth {
		in.fail("call depth limit of %d reached in %s (runaway recursion?)", in.maxDepth, fv.name)
	}
	var ftype *ast.FuncType
	var body *ast.BlockStmt
	var sig *types.Signature
	if fv.decl != nil {
		ftype, body = fv.decl.Type, fv.decl.Body
		sig = in.p.Info.Defs[fv.decl.Name].Type().(*types.Signature)
	} else {
		ftype, body = fv.lit.Type, fv.lit.Body
		sig = in.p.Info.TypeOf(fv.lit).(*types.Signature)
	}
	results := make([]*cell, sig.Results().Len())
	in.enter(fv.name, fv.node(), func(cf *chain.Frame) {
		fr := &frame{in: in, env: make(map[*types.Var]*cell, len(fv.captured)+4), cf: cf, fn: fv.node(), sig: sig}
		for v, c := range fv.captured {
			fr.env[v] = c
		}
		if fv.recv != nil && len(fv.decl.Recv.List[0].Names) == 1 {
			fr.declare(fv.decl.Recv.List[0].Names[0], fv.recv.v)
		}
		i := 0
		for _, f := range ftype.Params.List {
			if len(f.Names) == 0 {
				i++
				continue
			}
			for _, id := range f.Names {
				fr.declare(id, args[i])
				i++
			}
		}
		for i := range results {
			results[i] = &cell{zero(sig.Results().At(i).Type())}
		}
		if ftype.Results != nil {
			i := 0
			for _, f := range ftype.Results.List {
				if len(f.Names) == 0 {
					i++
					continue
				}
				for _, id := range f.Names {
					if v, ok := in.p.Info.Defs[id].(*types.Var); ok && id.Name != "_" {
						fr.env[v] = results[i]
					}
					i++
				}
			}
		}
		fr.results = results
		fr.execList(body.List)
	})
	out := make([]any, len(results))
	for i, c := range results {
		out[i] = c.v
	}
	return out
}

// enter runs body in a new model frame for the function fn, compiled as
// the compiler compiles it: open-coded, with linked defers (deferreturn
// at every exit), or without defers.
func (in *interp) enter(name string, fn ast.Node, body func(cf *chain.Frame)) {
	switch {
	case in.p.open[fn]:
		in.g.Call(name, true, body)
	case in.p.linked[fn]:
		in.g.CallLinked(name, body)
	default:
		in.g.Call(name, false, body)
	}
}

// A prepared call: the callee and its arguments, evaluated; run calls it.
type prepared struct {
	run func() []any
	// user is true for a call of the program's own function or method.
	user bool
}

// prepare evaluates the function and the arguments of a call, as both a
// call and a defer statement do first.
func (fr *frame) prepare(e *ast.CallExpr) prepared {
	in := fr.in
	info := in.p.Info
	if tv := info.Types[e.Fun]; tv.IsType() {
		x := convertValue(fr.eval(e.Args[0]), info.TypeOf(e.Args[0]), tv.Type)
		v := in.convert(x, info.TypeOf(e.Args[0]), tv.Type, info.Types[e.Args[0]].Value != nil)
		return prepared{run: func() []any { return []any{v} }}
	}
	fun := ast.Unparen(e.Fun)
	if id, ok := fun.(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			return fr.prepareBuiltin(e, b.Name())
		}
	}
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if s, ok := info.Selections[sel]; ok {
			return fr.prepareMethod(e, sel, s)
		}
		if fn, ok := info.Uses[sel.Sel].(*types.Func); ok && fn.Pkg() != nil && fn.Pkg() != in.p.Pkg {
			return fr.prepareLibrary(e, fn)
		}
	}
	fv, _ := fr.eval(fun).(*funcValue)
	sig := info.TypeOf(fun).Underlying().(*types.Signature)
	args := fr.args(e.Args, sig, e.Ellipsis.IsValid())
	return prepared{run: func() []any {
		if fv == nil {
			fr.nilDeref()
		}
		return in.call(fv, args)
	}, user: true}
}

// args evaluates call arguments and converts them to the parameter types.
// For a variadic function the extra arguments become a new slice (nil
// when there are none), unless the call passes a slice with "...".
func (fr *frame) args(exprs []ast.Expr, sig *types.Signature, dots bool) []any {
	n := sig.Params().Len()
	if n == 0 {
		return nil
	}
	if sig.Variadic() && !dots {
		return fr.variadicArgs(exprs, sig)
	}
	vals := fr.evalMulti(exprs, n)
	for i := range vals {
		vals[i] = fr.in.convert(vals[i], fr.typeOfValue(exprs, n, i), sig.Params().At(i).Type(), fr.isConst(exprs, i))
	}
	return vals
}

func (fr *frame) variadicArgs(exprs []ast.Expr, sig *types.Signature) []any {
	info := fr.in.p.Info
	n := sig.Params().Len()
	var vals []any
	var typs []types.Type
	var consts []bool
	if tup, ok := firstTuple(info, exprs); ok {
		vals = fr.evalMulti(exprs, tup.Len())
		for i := range tup.Len() {
			typs = append(typs, tup.At(i).Type())
			consts = append(consts, false)
		}
	} else {
		for _, e := range exprs {
			vals = append(vals, fr.eval(e))
			typs = append(typs, info.TypeOf(e))
			consts = append(consts, info.Types[e].Value != nil)
		}
	}
	out := make([]any, n)
	for i := 0; i < n-1; i++ {
		out[i] = fr.in.convert(vals[i], typs[i], sig.Params().At(i).Type(), consts[i])
	}
	elem := sig.Params().At(n - 1).Type().(*types.Slice).Elem()
	if extra := len(vals) - (n - 1); extra > 0 {
		arr := make([]any, extra)
		for i := range arr {
			j := n - 1 + i
			arr[i] = fr.in.convert(vals[j], typs[j], elem, consts[j])
		}
		out[n-1] = &slice{arr: cellsOf(arr), len: extra, cap: extra}
	} else {
		out[n-1] = (*slice)(nil)
	}
	return out
}

func (fr *frame) callExpr(e *ast.CallExpr) []any {
	fr.in.step(e)
	return fr.prepare(e).run()
}

func (fr *frame) prepareLibrary(e *ast.CallExpr, fn *types.Func) prepared {
	in := fr.in
	switch fn.Pkg().Path() + "." + fn.Name() {
	case "os.Exit":
		code := fr.eval(e.Args[0]).(int)
		return prepared{run: func() []any { in.g.Exit(code); return nil }}
	case "runtime.Goexit":
		return prepared{run: func() []any { in.g.Goexit(); return nil }}
	case "runtime.Gosched":
		return prepared{run: func() []any { in.yield(); return nil }}
	case "runtime.Breakpoint":
		// A breakpoint trap with no debugger: the runtime dies of SIGTRAP
		// at once, running no deferred calls.
		return prepared{run: func() []any {
			in.stderr.WriteString("SIGTRAP: trace trap\n")
			in.g.Exit(2)
			return nil
		}}
	case "time.Sleep":
		d := fr.eval(e.Args[0]).(int)
		return prepared{run: func() []any { in.sleep(d); return nil }}
	case "time.After":
		d := fr.eval(e.Args[0]).(int)
		return prepared{run: func() []any { return []any{in.after(d)} }}
	case "runtime.GC":
		// The model has no collector: nothing it models is observable
		// across a collection (finalizers are outside the subset).
		return prepared{run: func() []any { return nil }}
	}
	f, ok := libFuncs[fn.Pkg().Path()][fn.Name()]
	if !ok {
		in.fail("%s: %s.%s is outside the subset", in.p.Fset.Position(e.Pos()), fn.Pkg().Path(), fn.Name())
	}
	args := fr.args(e.Args, fn.Signature(), e.Ellipsis.IsValid())
	return prepared{run: func() []any { return f.run(fr, e, args) }}
}

func (fr *frame) prepareBuiltin(e *ast.CallExpr, name string) prepared {
	in := fr.in
	info := in.p.Info
	switch name {
	case "panic":
		v := in.convert(fr.eval(e.Args[0]), info.TypeOf(e.Args[0]), types.Universe.Lookup("any").Type(), fr.isConst(e.Args, 0))
		return prepared{run: func() []any {
			if v == nil {
				v = &errorValue{msg: "panic called with nil argument"}
			}
			text, err := in.panicText(v, false)
			if err != nil {
				// A value printed through its Error or String method: the
				// crash report calls it then; the trace names the type.
				text = "(" + typeName(v) + ")"
			}
			in.panic(v, text)
			return nil
		}}
	case "recover":
		return prepared{run: func() []any { return []any{fr.recover()} }}
	case "print", "println":
		vals := make([]any, len(e.Args))
		for i, a := range e.Args {
			vals[i] = fr.eval(a)
		}
		return prepared{run: func() []any {
			for i, v := range vals {
				if i > 0 && name == "println" {
					in.stderr.WriteString(" ")
				}
				in.stderr.WriteString(printText(v, info.TypeOf(e.Args[i])))
			}
			if name == "println" {
				in.stderr.WriteString("\n")
			}
			in.checkOutput(e)
			return nil
		}}
	case "close":
		c, _ := fr.eval(e.Args[0]).(*channel)
		return prepared{run: func() []any { fr.closeChan(c); return nil }}
	case "len", "cap":
		return fr.prepareLen(e, name)
	case "make":
		return fr.prepareMake(e)
	case "new":
		t := info.TypeOf(e.Args[0])
		return prepared{run: func() []any { return []any{&cell{zero(t)}} }}
	case "delete":
		m, _ := fr.eval(e.Args[0]).(*mapVal)
		t := info.TypeOf(e.Args[0]).Underlying().(*types.Map)
		k := in.convert(fr.eval(e.Args[1]), info.TypeOf(e.Args[1]), t.Key(), fr.isConst(e.Args, 1))
		return prepared{run: func() []any {
			if m == nil {
				return nil
			}
			mk, err := mapKey(k)
			if err != nil {
				fr.runtimeError(err.Error(), false)
			}
			delete(m.entries, mk)
			return nil
		}}
	case "copy":
		dst, _ := fr.eval(e.Args[0]).(*slice)
		src, _ := fr.eval(e.Args[1]).(*slice)
		return prepared{run: func() []any {
			if dst == nil || src == nil {
				return []any{0}
			}
			n := min(dst.len, src.len)
			tmp := make([]any, n)
			for i := range n {
				tmp[i] = copyVal(src.at(i))
			}
			for i, v := range tmp {
				dst.cellAt(i).set(v)
			}
			return []any{n}
		}}
	case "append":
		return fr.prepareAppend(e)
	}
	in.fail("%s: builtin %s is outside the subset", in.p.Fset.Position(e.Pos()), name)
	return prepared{}
}

// prepareLen is len or cap of a channel, string, map, array or slice.
func (fr *frame) prepareLen(e *ast.CallExpr, name string) prepared {
	s := fr.eval(e.Args[0])
	return prepared{run: func() []any {
		switch x := s.(type) {
		case *channel:
			if x == nil {
				return []any{0}
			}
			if name == "cap" {
				return []any{x.cap}
			}
			return []any{len(x.buf)}
		case string:
			return []any{len(x)}
		case *mapVal:
			if x == nil {
				return []any{0}
			}
			return []any{len(x.entries)}
		case *arrayVal:
			return []any{len(x.e)}
		case *slice:
			if x == nil {
				return []any{0}
			}
			if name == "cap" {
				return []any{x.cap}
			}
			return []any{x.len}
		}
		return []any{0}
	}}
}

// prepareMake is make of a channel, a map or a slice.
func (fr *frame) prepareMake(e *ast.CallExpr) prepared {
	in := fr.in
	info := in.p.Info
	if isChan(info.TypeOf(e.Args[0])) {
		c := fr.makeChan(e)
		return prepared{run: func() []any { return []any{c} }}
	}
	if _, ok := info.TypeOf(e.Args[0]).Underlying().(*types.Map); ok {
		if len(e.Args) > 1 {
			fr.eval(e.Args[1]) // a size hint: the model's maps need none
		}
		return prepared{run: func() []any { return []any{&mapVal{entries: map[any]*mapEntry{}}} }}
	}
	n := fr.eval(e.Args[1]).(int)
	c := n
	if len(e.Args) > 2 {
		c = fr.eval(e.Args[2]).(int)
	}
	t := info.TypeOf(e.Args[0]).Underlying().(*types.Slice)
	return prepared{run: func() []any {
		if n < 0 {
			fr.runtimeError("makeslice: len out of range", false)
		}
		if c < n {
			fr.runtimeError("makeslice: cap out of range", false)
		}
		if c > maxLen {
			in.fail("%s: make of %d elements is beyond the model's memory limit of %d", in.p.Fset.Position(e.Pos()), c, maxLen)
		}
		arr := make([]any, c)
		for i := range arr {
			arr[i] = zero(t.Elem())
		}
		return []any{&slice{arr: cellsOf(arr), len: n, cap: c}}
	}}
}

// prepareAppend is append(s, v...) and append(s, t...).
func (fr *frame) prepareAppend(e *ast.CallExpr) prepared {
	in := fr.in
	info := in.p.Info
	s, _ := fr.eval(e.Args[0]).(*slice)
	t := info.TypeOf(e.Args[0]).Underlying().(*types.Slice)
	var add []any
	if e.Ellipsis.IsValid() {
		if more, _ := fr.eval(e.Args[1]).(*slice); more != nil {
			for _, v := range more.values() {
				add = append(add, copyVal(v))
			}
		}
	} else {
		for i, a := range e.Args[1:] {
			add = append(add, in.convert(fr.eval(a), info.TypeOf(a), t.Elem(), fr.isConst(e.Args[1:], i)))
		}
	}
	return prepared{run: func() []any {
		if s != nil && s.len+len(add) > maxLen {
			in.fail("%s: append beyond the model's memory limit of %d elements", in.p.Fset.Position(e.Pos()), maxLen)
		}
		return []any{appendSlice(s, add, t.Elem())}
	}}
}

// appendSlice appends in place when the capacity allows, else to a new
// array that grows as the runtime's growslice does for small slices
// (doubling), so aliasing behaves as in Go.
func appendSlice(s *slice, add []any, elem types.Type) *slice {
	if len(add) == 0 {
		return s
	}
	if s == nil {
		s = &slice{arr: &[]*cell{}}
	}
	n := s.len + len(add)
	if n <= s.cap {
		for i, v := range add {
			s.cellAt(s.len + i).set(v)
		}
		return &slice{arr: s.arr, off: s.off, len: n, cap: s.cap}
	}
	// A new array: new variables, holding copies of the old values.
	c := max(s.cap*2, n)
	vals := make([]any, c)
	copy(vals, s.values())
	copy(vals[s.len:], add)
	for i := n; i < c; i++ {
		vals[i] = zero(elem)
	}
	return &slice{arr: cellsOf(vals), len: n, cap: c}
}

func (fr *frame) recover() any {
	v, ok := fr.in.g.Recover(fr.cf)
	if !ok {
		return nil
	}
	return v
}

// deferStmt evaluates the deferred function and its arguments now and
// hands the call to the model with the statement's strategy.
func (fr *frame) deferStmt(s *ast.DeferStmt) {
	in := fr.in
	d := in.p.byStmt[s]
	var fn func()
	if id, ok := ast.Unparen(s.Call.Fun).(*ast.Ident); ok {
		if b, ok := in.p.Info.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
			// defer recover(): recover is the deferred function itself.
			cf := fr.cf
			if fr.loop != nil {
				cf = fr.loopCF
			}
			fn = func() { in.g.DeferredRecover(cf) }
		}
	}
	if fn == nil {
		pc := fr.prepare(s.Call)
		fn = func() { pc.run() }
		if !pc.user {
			fn = func() {
				in.g.NotInvoked()
				pc.run()
			}
		}
	}
	if fr.loop != nil {
		// In a range-over-func loop body: the defer belongs to the
		// frame that holds the loop.
		in.g.DeferProcAt(fr.loop, d.Site, fn)
		return
	}
	switch d.Kind {
	case strategy.OpenCoded:
		if err := in.g.OpenDefer(fr.cf, d.Slot, d.Site, fn); err != nil {
			in.fail("%v", err)
		}
	case strategy.StackAllocated:
		in.g.DeferProcStack(fr.cf, d.Site, fn)
	case strategy.HeapAllocated:
		in.g.DeferProc(fr.cf, d.Site, fn)
	default:
		in.fail("%s: defer with strategy %s was executed", d.Site, d.Kind)
	}
}

// prepareMethod evaluates the receiver and the arguments of a method
// call; a call through a nil interface panics then.
func (fr *frame) prepareMethod(e *ast.CallExpr, sel *ast.SelectorExpr, s *types.Selection) prepared {
	var fv *funcValue
	if s.Kind() == types.MethodExpr {
		fv = fr.selector(sel).(*funcValue)
	} else {
		fv = fr.methodValue(sel, s)
	}
	sig := fr.in.p.Info.TypeOf(sel).Underlying().(*types.Signature)
	args := fr.args(e.Args, sig, e.Ellipsis.IsValid())
	fr.checkBound(fv)
	return prepared{user: fv.native == nil, run: func() []any { return fr.in.call(fv, args) }}
}

// panic starts a panic of the program.
func (in *interp) panic(v any, text string) { in.g.Panic(v, text) }

// printingPanic is what the runtime prints for a panic raised by an Error
// or String method while it prints the crash report: the value if it is a
// string, else its type.
func (in *interp) printingPanic(v any) string {
	if b, ok := v.(*box); ok {
		if s, ok := b.v.(string); ok && types.Identical(b.t, types.Typ[types.String]) {
			return s
		}
	}
	return "type " + typeName(v)
}

// maxOutput bounds what a run may print.
const maxOutput = 64 << 20

func (in *interp) checkOutput(n ast.Node) {
	if in.stdout.Len()+in.stderr.Len() > maxOutput {
		in.fail("%s: the program printed more than %d MiB, the model's output limit", in.p.Fset.Position(n.Pos()), maxOutput>>20)
	}
}

// firstTuple reports whether exprs is a single multi-valued call, f(g()).
func firstTuple(info *types.Info, exprs []ast.Expr) (*types.Tuple, bool) {
	if len(exprs) != 1 {
		return nil, false
	}
	tup, ok := info.TypeOf(exprs[0]).(*types.Tuple)
	return tup, ok
}

// convertValue is the representation change of a conversion to t:
// between the integer types and float64 (wrapping to the width of t),
// from an integer to a string (a rune), and between a string and a
// []byte or a []rune.
func convertValue(v any, from, t types.Type) any {
	switch x := v.(type) {
	case int:
		if isFloat(t) {
			return float64(x)
		}
		if isString(t) {
			return string(rune(x))
		}
		return wrapInt(x, t)
	case float64:
		if isBasicInt(t) {
			return wrapInt(int(x), t)
		}
	case string:
		if s, ok := t.Underlying().(*types.Slice); ok {
			if !isRune(s.Elem()) {
				return byteSlice([]byte(x))
			}
			var vals []any
			for _, r := range x {
				vals = append(vals, int(r))
			}
			return newSlice(vals)
		}
	case *slice:
		if isString(t) {
			if !isRune(from.Underlying().(*types.Slice).Elem()) {
				return string(bytesOf(x))
			}
			var b strings.Builder
			for _, e := range sliceElems(x) {
				b.WriteRune(rune(e.(int)))
			}
			return b.String()
		}
	}
	return v
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

func isRune(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.Int32
}

// printText is how print and println write a value: floats as
// strconv's shortest 'g' form (runtime/print.go); a pointer, map,
// channel or func as its address, a slice as [len/cap]address, an
// interface as (type word,data word), with 0x0 for nil and placeholder
// addresses otherwise.
func printText(v any, t types.Type) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	// Addresses: 0x0 for nil, else a placeholder (Go's own addresses
	// vary with the heap's layout).
	const addr = "0xc000010000"
	switch u := t.Underlying().(type) {
	case *types.Slice:
		s, _ := v.(*slice)
		if s == nil {
			return "[0/0]0x0"
		}
		return "[" + strconv.Itoa(s.len) + "/" + strconv.Itoa(s.cap) + "]" + addr
	case *types.Interface:
		if v == nil {
			return "(0x0,0x0)"
		}
		if u.Empty() {
			return "(0x4d0000," + addr + ")"
		}
		return "(0x4e0000," + addr + ")"
	}
	if isNil(v) {
		return "0x0"
	}
	return addr
}
