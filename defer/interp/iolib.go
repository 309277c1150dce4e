package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"unicode/utf8"
)

// Writers: io.Writer, strings.Builder, os.Stdout and os.Stderr, and
// fmt.Fprint, Fprintf and Fprintln, which format as Sprint does and call
// the writer's Write method: the model's own for a Builder or a file, the
// program's for its own types.

// ioPackage is package io of the library: the Writer interface.
var ioPackage = func() *types.Package {
	p := types.NewPackage("io", "io")
	write := types.NewSignatureType(nil, nil, nil, params(types.NewSlice(types.Typ[types.Byte])),
		params(types.Typ[types.Int], types.Universe.Lookup("error").Type()), false)
	namedInterface(p, "Writer", []*types.Func{types.NewFunc(token.NoPos, p, "Write", write)}, nil)
	p.MarkComplete()
	return p
}()

// ioWriter is io.Writer.
func ioWriter() types.Type { return ioPackage.Scope().Lookup("Writer").Type() }

// namedInterface declares the interface type name in p, with methods
// and embedded interfaces.
func namedInterface(p *types.Package, name string, methods []*types.Func, embeds []types.Type) *types.Named {
	obj := types.NewTypeName(token.NoPos, p, name, nil)
	n := types.NewNamed(obj, types.NewInterfaceType(methods, embeds).Complete(), nil)
	p.Scope().Insert(obj)
	return n
}

// opaqueType declares a library type in p: a struct the program cannot
// look into, with pointer-receiver methods of the given signatures (nil
// for func()).
func opaqueType(p *types.Package, name string, methods map[string]*types.Signature) *types.Named {
	obj := types.NewTypeName(token.NoPos, p, name, nil)
	field := types.NewField(token.NoPos, p, "state", types.Typ[types.Int], false)
	n := types.NewNamed(obj, types.NewStruct([]*types.Var{field}, nil), nil)
	for m, sig := range methods {
		if sig == nil {
			sig = types.NewSignatureType(nil, nil, nil, nil, nil, false)
		}
		recv := types.NewVar(token.NoPos, p, "", types.NewPointer(n))
		n.AddMethod(types.NewFunc(token.NoPos, p, m, types.NewSignatureType(recv, nil, nil, sig.Params(), sig.Results(), sig.Variadic())))
	}
	p.Scope().Insert(obj)
	return n
}

// addWriters declares strings.Builder, os.File, os.Stdout and os.Stderr.
func addWriters(stringsPkg, osPkg *types.Package) {
	intT, errT := types.Typ[types.Int], types.Universe.Lookup("error").Type()
	bytesT := types.NewSlice(types.Typ[types.Byte])
	sig := func(in []types.Type, out ...types.Type) *types.Signature {
		return types.NewSignatureType(nil, nil, nil, params(in...), params(out...), false)
	}
	opaqueType(stringsPkg, "Builder", map[string]*types.Signature{
		"WriteString": sig(ts(types.Typ[types.String]), intT, errT),
		"WriteByte":   sig(ts(types.Typ[types.Byte]), errT),
		"WriteRune":   sig(ts(types.Typ[types.Rune]), intT, errT),
		"Write":       sig(ts(bytesT), intT, errT),
		"String":      sig(nil, types.Typ[types.String]),
		"Len":         sig(nil, intT),
		"Reset":       nil,
		"Grow":        sig(ts(intT)),
	})
	file := opaqueType(osPkg, "File", map[string]*types.Signature{
		"Write":       sig(ts(bytesT), intT, errT),
		"WriteString": sig(ts(types.Typ[types.String]), intT, errT),
	})
	for _, name := range []string{"Stdout", "Stderr"} {
		osPkg.Scope().Insert(types.NewVar(token.NoPos, osPkg, name, types.NewPointer(file)))
	}
}

// A builder is a strings.Builder. addr is the Builder that first wrote
// (copyCheck's b.addr): a copy keeps it, so writing to a copy of a
// non-empty Builder panics, as in Go.
type builder struct {
	addr *builder
	buf  []byte
}

func (b *builder) clone() any { c := *b; c.buf = slices.Clip(b.buf); return &c }

func (b *builder) copyCheck(fr *frame) {
	if b.addr == nil {
		b.addr = b
	} else if b.addr != b {
		fr.plainPanic("strings: illegal use of non-zero Builder copied by value")
	}
}

func (b *builder) write(fr *frame, p []byte) {
	b.copyCheck(fr)
	if len(b.buf)+len(p) > maxLen {
		fr.in.fail("a strings.Builder longer than %d bytes is beyond the model's memory limit", maxLen)
	}
	b.buf = append(b.buf, p...)
}

// An osFile is *os.File for standard output or standard error.
type osFile struct{ fd int }

func (f *osFile) clone() any { c := *f; return &c }

// libVars are the library's package-level variables.
var libVars = map[string]func() any{
	"os.Stdout": func() any { return &cell{&osFile{1}} },
	"os.Stderr": func() any { return &cell{&osFile{2}} },
}

// bytesOf is the []byte value p as Go bytes.
func bytesOf(v any) []byte {
	elems := sliceElems(v)
	p := make([]byte, len(elems))
	for i, e := range elems {
		p[i] = byte(e.(int))
	}
	return p
}

// byteSlice is p as a []byte value of the model.
func byteSlice(p []byte) *slice {
	vals := make([]any, len(p))
	for i, c := range p {
		vals[i] = int(c)
	}
	return newSlice(vals)
}

func init() {
	libZero["strings.Builder"] = func() any { return &builder{} }
	libZero["os.File"] = func() any { return &osFile{} }
	written := func(n int) []any { return []any{n, nil} }
	libMethods["(*strings.Builder).WriteString"] = func(fr *frame, recv any, a []any) []any {
		s := a[0].(string)
		recvOf[*builder](fr, recv).write(fr, []byte(s))
		return written(len(s))
	}
	libMethods["(*strings.Builder).WriteByte"] = func(fr *frame, recv any, a []any) []any {
		recvOf[*builder](fr, recv).write(fr, []byte{byte(a[0].(int))})
		return []any{nil}
	}
	libMethods["(*strings.Builder).WriteRune"] = func(fr *frame, recv any, a []any) []any {
		p := utf8.AppendRune(nil, rune(a[0].(int)))
		recvOf[*builder](fr, recv).write(fr, p)
		return written(len(p))
	}
	libMethods["(*strings.Builder).Write"] = func(fr *frame, recv any, a []any) []any {
		p := bytesOf(a[0])
		recvOf[*builder](fr, recv).write(fr, p)
		return written(len(p))
	}
	libMethods["(*strings.Builder).String"] = func(fr *frame, recv any, _ []any) []any {
		return []any{string(recvOf[*builder](fr, recv).buf)}
	}
	libMethods["(*strings.Builder).Len"] = func(fr *frame, recv any, _ []any) []any {
		return []any{len(recvOf[*builder](fr, recv).buf)}
	}
	libMethods["(*strings.Builder).Reset"] = func(fr *frame, recv any, _ []any) []any {
		b := recvOf[*builder](fr, recv)
		b.addr, b.buf = nil, nil
		return nil
	}
	libMethods["(*strings.Builder).Grow"] = func(fr *frame, recv any, a []any) []any {
		b := recvOf[*builder](fr, recv)
		b.copyCheck(fr)
		if a[0].(int) < 0 {
			fr.plainPanic("strings.Builder.Grow: negative count")
		}
		return nil
	}
	fileWrite := func(fr *frame, recv any, p []byte) []any {
		f := recvOf[*osFile](fr, recv)
		switch f.fd {
		case 1:
			fr.in.stdout.Write(p)
		case 2:
			fr.in.stderr.Write(p)
		}
		if fr.in.stdout.Len()+fr.in.stderr.Len() > maxOutput {
			fr.in.fail("the program printed more than %d MiB, the model's output limit", maxOutput>>20)
		}
		return written(len(p))
	}
	libMethods["(*os.File).Write"] = func(fr *frame, recv any, a []any) []any { return fileWrite(fr, recv, bytesOf(a[0])) }
	libMethods["(*os.File).WriteString"] = func(fr *frame, recv any, a []any) []any {
		return fileWrite(fr, recv, []byte(a[0].(string)))
	}
}

// fprint is fmt.Fprint, Fprintf and Fprintln: what Sprint would return,
// written with w's Write method.
func (fr *frame) fprint(e *ast.CallExpr, name string, w any, format string, args []any) []any {
	s := fr.fmtCall(e, "fmt.S"+name[len("fmt.F"):], format, args)[0].(string)
	fv := fr.bindDynamic(w, "Write")
	fr.checkBound(fv)
	return fr.in.call(fv, []any{byteSlice([]byte(s))})
}
