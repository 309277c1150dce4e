package interp

import (
	"fmt"
	"go/ast"
	"go/types"
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
	in.g.Call(fv.name, in.p.open[fv.node()], func(cf *chain.Frame) {
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
		x := fr.eval(e.Args[0])
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
			return fr.prepareLibrary(e, fn.Pkg().Path()+"."+fn.Name())
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
	if tup, ok := info.TypeOf(exprs[0]).(*types.Tuple); ok && len(exprs) == 1 {
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
		out[n-1] = &slice{arr: &arr, len: extra, cap: extra}
	} else {
		out[n-1] = (*slice)(nil)
	}
	return out
}

// variadic evaluates the ...any arguments of a library call; with dots,
// the last argument is a []any whose elements are the arguments.
func (fr *frame) variadic(exprs []ast.Expr, dots bool) []any {
	anyT := types.Universe.Lookup("any").Type()
	if dots {
		var vals []any
		for _, e := range exprs[:len(exprs)-1] {
			vals = append(vals, fr.eval(e))
		}
		if s, _ := fr.eval(exprs[len(exprs)-1]).(*slice); s != nil {
			vals = append(vals, (*s.arr)[s.off:s.off+s.len]...)
		}
		return vals
	}
	if len(exprs) == 1 {
		if tup, ok := fr.in.p.Info.TypeOf(exprs[0]).(*types.Tuple); ok {
			vals := fr.evalMulti(exprs, tup.Len())
			for i := range vals {
				vals[i] = fr.in.convert(vals[i], tup.At(i).Type(), anyT, false)
			}
			return vals
		}
	}
	vals := make([]any, len(exprs))
	for i, e := range exprs {
		vals[i] = fr.in.convert(fr.eval(e), fr.in.p.Info.TypeOf(e), anyT, fr.isConst(exprs, i))
	}
	return vals
}

func (fr *frame) callExpr(e *ast.CallExpr) []any {
	fr.in.step(e)
	return fr.prepare(e).run()
}

func (fr *frame) natives(vals []any, n ast.Node) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		x, err := fr.in.native(v)
		if err != nil {
			fr.in.fail("%s: %v", fr.in.p.Fset.Position(n.Pos()), err)
		}
		out[i] = x
	}
	return out
}

func (fr *frame) prepareLibrary(e *ast.CallExpr, name string) prepared {
	in := fr.in
	switch name {
	case "os.Exit":
		code := fr.eval(e.Args[0]).(int)
		return prepared{run: func() []any { in.g.Exit(code); return nil }}
	case "runtime.Goexit":
		return prepared{run: func() []any { in.g.Goexit(); return nil }}
	case "runtime.Gosched":
		return prepared{run: func() []any { in.yield(); return nil }}
	case "errors.New":
		msg := fr.eval(e.Args[0]).(string)
		return prepared{run: func() []any { return []any{&errorValue{msg: msg}} }}
	}
	var format string
	args := e.Args
	if strings.HasSuffix(name, "f") {
		format = fr.eval(args[0]).(string)
		args = args[1:]
	}
	vars := fr.variadic(args, e.Ellipsis.IsValid())
	return prepared{run: func() []any {
		// fmt reads slices when it prints them, not when the call's
		// arguments are evaluated.
		vals := fr.natives(vars, e)
		defer in.checkOutput(e)
		switch name {
		case "fmt.Println":
			n, _ := fmt.Fprintln(&in.stdout, vals...)
			return []any{n, nil}
		case "fmt.Print":
			n, _ := fmt.Fprint(&in.stdout, vals...)
			return []any{n, nil}
		case "fmt.Printf":
			n, _ := fmt.Fprintf(&in.stdout, format, vals...)
			return []any{n, nil}
		case "fmt.Sprint":
			return []any{fmt.Sprint(vals...)}
		case "fmt.Sprintln":
			return []any{fmt.Sprintln(vals...)}
		case "fmt.Sprintf":
			return []any{fmt.Sprintf(format, vals...)}
		case "fmt.Errorf":
			return []any{&errorValue{msg: fmt.Sprintf(strings.ReplaceAll(format, "%w", "%v"), vals...)}}
		}
		in.fail("%s: %s is outside the subset", in.p.Fset.Position(e.Pos()), name)
		return nil
	}}
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
				in.fail("%s: %v", in.p.Fset.Position(e.Pos()), err)
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
				fmt.Fprint(&in.stderr, v)
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
	case "make":
		if isChan(info.TypeOf(e.Args[0])) {
			c := fr.makeChan(e)
			return prepared{run: func() []any { return []any{c} }}
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
			return []any{&slice{arr: &arr, len: n, cap: c}}
		}}
	case "append":
		s, _ := fr.eval(e.Args[0]).(*slice)
		t := info.TypeOf(e.Args[0]).Underlying().(*types.Slice)
		var add []any
		if e.Ellipsis.IsValid() {
			if more, _ := fr.eval(e.Args[1]).(*slice); more != nil {
				add = append(add, (*more.arr)[more.off:more.off+more.len]...)
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
			return []any{appendSlice(s, add)}
		}}
	}
	in.fail("%s: builtin %s is outside the subset", in.p.Fset.Position(e.Pos()), name)
	return prepared{}
}

// appendSlice appends in place when the capacity allows, else to a new
// array that grows as the runtime's growslice does for small slices
// (doubling), so aliasing behaves as in Go.
func appendSlice(s *slice, add []any) *slice {
	if len(add) == 0 {
		return s
	}
	if s == nil {
		s = &slice{arr: &[]any{}}
	}
	n := s.len + len(add)
	if n <= s.cap {
		copy((*s.arr)[s.off+s.len:], add)
		return &slice{arr: s.arr, off: s.off, len: n, cap: s.cap}
	}
	c := max(s.cap*2, n)
	arr := make([]any, c)
	copy(arr, (*s.arr)[s.off:s.off+s.len])
	copy(arr[s.len:], add)
	return &slice{arr: &arr, len: n, cap: c}
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
			// defer recover(): recover is the deferred function itself,
			// so it never stops a panic.
			fn = func() { in.g.Recover(nil) }
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
// call. A call through an interface finds the method of the dynamic type.
func (fr *frame) prepareMethod(e *ast.CallExpr, sel *ast.SelectorExpr, s *types.Selection) prepared {
	in := fr.in
	if p, ok := fr.prepareLibMethod(e, sel, s); ok {
		return p
	}
	recv := fr.eval(sel.X)
	sig := s.Type().(*types.Signature)
	args := fr.args(e.Args, sig, e.Ellipsis.IsValid())
	name := sel.Sel.Name
	return prepared{user: true, run: func() []any {
		switch r := recv.(type) {
		case nil:
			fr.nilDeref()
		case *errorValue:
			return []any{r.msg}
		case *chain.RuntimeError:
			return []any{r.Error()}
		case *box:
			decl := in.p.methodDecl(r.t, name)
			if decl == nil {
				in.fail("%s: %s has no method %s", in.p.Fset.Position(sel.Pos()), r.t, name)
			}
			return in.call(&funcValue{name: methodName(r.t, name), decl: decl, recv: &cell{r.v}}, args)
		}
		t := in.p.Info.TypeOf(sel.X)
		decl := in.p.methodDecl(t, name)
		if decl == nil {
			in.fail("%s: %s has no method %s", in.p.Fset.Position(sel.Pos()), t, name)
		}
		return in.call(&funcValue{name: methodName(t, name), decl: decl, recv: &cell{recv}}, args)
	}}
}

func methodName(t types.Type, name string) string {
	return types.TypeString(t, nil) + "." + name
}

// methodDecl finds the declaration of method name of the program's type t.
func (p *Program) methodDecl(t types.Type, name string) *ast.FuncDecl {
	n, ok := t.(*types.Named)
	if !ok {
		return nil
	}
	for m := range n.Methods() {
		if m.Name() == name {
			return p.funcs[m]
		}
	}
	return nil
}

// callStringer calls the Error or String method of a boxed value when
// its type has one with the signature func() string.
func (in *interp) callStringer(b *box, name string) (string, bool) {
	decl := in.p.methodDecl(b.t, name)
	if decl == nil {
		return "", false
	}
	sig := in.p.Info.Defs[decl.Name].Type().(*types.Signature)
	if sig.Params().Len() != 0 || sig.Results().Len() != 1 || !types.Identical(sig.Results().At(0).Type(), types.Typ[types.String]) {
		return "", false
	}
	out := in.call(&funcValue{name: methodName(b.t, name), decl: decl, recv: &cell{b.v}}, nil)
	s, _ := out[0].(string)
	return s, true
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
