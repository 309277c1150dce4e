package interp

import (
	"fmt"
	"go/ast"
	"go/types"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/deferio/deferio/defer/chain"
)

// The model's fmt: Print, Println and Printf of the program's values as
// package fmt prints them (fmt/print.go). Numbers, strings and bools go
// through the real fmt with the same flags, width and precision; structs,
// arrays, slices, maps and pointers to them are walked as printValue
// walks them: an Error or String method is called at the top and on
// elements reached through exported fields only (fmt cannot call methods
// through unexported fields), maps print sorted, a pointer to a struct
// prints &{...} at the top and an address below it, which the model
// cannot reproduce, so it stops the run with an error instead.

type printer struct {
	fr  *frame
	buf strings.Builder
	// wrapped are the %w operands of fmt.Errorf.
	wrapped []any
	errorf  bool
	// panicking is set while the printer prints the panic of an Error
	// or String method (pp.panicking).
	panicking bool
}

func (fr *frame) newPrinter() *printer { return &printer{fr: fr} }

func (p *printer) fail(format string, args ...any) {
	p.fr.in.fail("fmt: "+format, args...)
}

// isStringArg reports whether the dynamic type of arg is of kind string.
func isStringArg(arg any) bool {
	b, ok := arg.(*box)
	if !ok {
		return false
	}
	bt, ok := b.t.Underlying().(*types.Basic)
	return ok && bt.Info()&types.IsString != 0
}

func (p *printer) doPrint(args []any) {
	prevString := false
	for i, arg := range args {
		isString := isStringArg(arg)
		if i > 0 && !isString && !prevString {
			p.buf.WriteByte(' ')
		}
		p.printArg(arg, 'v', "")
		prevString = isString
	}
}

func (p *printer) doPrintln(args []any) {
	for i, arg := range args {
		if i > 0 {
			p.buf.WriteByte(' ')
		}
		p.printArg(arg, 'v', "")
	}
	p.buf.WriteByte('\n')
}

func (p *printer) doPrintf(format string, args []any) {
	argNum := 0
	for i := 0; i < len(format); {
		j := strings.IndexByte(format[i:], '%')
		if j < 0 {
			p.buf.WriteString(format[i:])
			break
		}
		p.buf.WriteString(format[i : i+j])
		i += j + 1
		// flags, width, precision: kept as text for the real fmt.
		start := i
		for i < len(format) && strings.IndexByte("#0+- ", format[i]) >= 0 {
			i++
		}
		spec := format[start:i]
		num := func() {
			if i < len(format) && format[i] == '*' {
				i++
				if argNum >= len(args) {
					spec += "%!(BADWIDTH)"
					return
				}
				b, ok := args[argNum].(*box)
				n, isInt := 0, false
				if ok {
					n, isInt = b.v.(int)
				}
				argNum++
				if !isInt {
					spec += "%!(BADWIDTH)"
					return
				}
				spec += strconv.Itoa(n)
				return
			}
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				spec += format[i : i+1]
				i++
			}
		}
		if i < len(format) && format[i] == '[' {
			p.fail("explicit argument indexes (%%[n]v) are outside the subset")
		}
		num()
		if i < len(format) && format[i] == '.' {
			spec += "."
			i++
			num()
		}
		if i >= len(format) {
			p.buf.WriteString("%!(NOVERB)")
			break
		}
		verb, size := utf8.DecodeRuneInString(format[i:])
		i += size
		if bad, _, _ := strings.Cut(spec, "%!(BADWIDTH)"); bad != spec {
			p.buf.WriteString("%!(BADWIDTH)")
			spec = bad
		}
		switch {
		case verb == '%':
			p.buf.WriteByte('%')
			continue
		case argNum >= len(args):
			fmt.Fprintf(&p.buf, "%%!%c(MISSING)", verb)
			continue
		case verb == 'w' && p.errorf:
			arg := args[argNum]
			if !p.fr.implements(arg, errorType) {
				p.badVerb(verb, arg)
				argNum++
				continue
			}
			p.wrapped = append(p.wrapped, arg)
			verb = 'v'
		case verb == 'p':
			p.fail("%%p prints an address, which the model cannot reproduce")
		}
		p.printArg(args[argNum], verb, spec)
		argNum++
	}
	if argNum < len(args) {
		p.buf.WriteString("%!(EXTRA ")
		for i, arg := range args[argNum:] {
			if i > 0 {
				p.buf.WriteString(", ")
			}
			if arg == nil {
				p.buf.WriteString("<nil>")
				continue
			}
			p.buf.WriteString(dynTypeString(arg))
			p.buf.WriteByte('=')
			p.printArg(arg, 'v', "")
		}
		p.buf.WriteByte(')')
	}
}

var errorType = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

// badVerb is %!verb(type=value).
func (p *printer) badVerb(verb rune, arg any) {
	fmt.Fprintf(&p.buf, "%%!%c(", verb)
	if arg == nil {
		p.buf.WriteString("<nil>")
	} else {
		p.buf.WriteString(dynTypeString(arg))
		p.buf.WriteByte('=')
		p.printArg(arg, 'v', "")
	}
	p.buf.WriteByte(')')
}

// printArg prints one operand, an interface value.
func (p *printer) printArg(arg any, verb rune, spec string) {
	if arg == nil {
		switch verb {
		case 'T', 'v':
			p.pad("<nil>", spec)
		default:
			p.badVerb(verb, nil)
		}
		return
	}
	if verb == 'T' {
		p.pad(dynTypeString(arg), spec)
		return
	}
	if p.handleMethods(arg, verb, spec) {
		return
	}
	switch x := arg.(type) {
	case *box:
		p.printValue(x.v, x.t, verb, spec, 0, false)
	default:
		p.fail("printing a %s with %%%c is outside the subset", dynTypeString(arg), verb)
	}
}

func (p *printer) pad(s, spec string) {
	fmt.Fprintf(&p.buf, "%"+strings.Trim(spec, "+# 0")+"s", s)
}

// handleMethods calls Error or String as fmt does, for the verbs that
// print them.
func (p *printer) handleMethods(arg any, verb rune, spec string) bool {
	if strings.Contains(spec, "#") && verb == 'v' {
		p.fail("%%#v is outside the subset")
	}
	switch verb {
	case 'v', 's', 'x', 'X', 'q':
	default:
		return false
	}
	for _, name := range []string{"Error", "String"} {
		if name == "Error" && !p.fr.implements(arg, errorType) {
			continue
		}
		s, ok, panicked, v := p.callMethod(arg, name)
		switch {
		case panicked:
			p.methodPanic(arg, verb, name, v)
			return true
		case ok:
			p.scalar(s, verb, spec)
			return true
		}
	}
	return false
}

// callMethod calls arg's Error or String method as fmt does: in a frame
// whose deferred catchPanic recovers a panic of the method.
func (p *printer) callMethod(arg any, name string) (s string, ok, panicked bool, v any) {
	in := p.fr.in
	if b, isBox := arg.(*box); !isBox || in.methodSet(b.t).Lookup(in.p.Pkg, name) == nil {
		// No method of the program: nothing that could panic.
		s, ok = in.stringMethod(p.fr, arg, name)
		return s, ok, false, nil
	}
	// Go 1.26's fmt.(*pp).handleMethods defers catchPanic on a stack
	// record (deferprocStack): it has too many returns to be open-coded.
	in.g.Call("fmt.(*pp).handleMethods", false, func(cf *chain.Frame) {
		in.g.DeferProcStack(cf, "fmt/print.go:catchPanic", func() {
			in.g.Call("fmt.(*pp).catchPanic", false, func(cf2 *chain.Frame) {
				v, panicked = in.g.Recover(cf2)
			})
		})
		s, ok = in.stringMethod(p.fr, arg, name)
	})
	return s, ok, panicked, v
}

// methodPanic is what catchPanic prints for a method that panicked:
// <nil> for a nil pointer receiver, else %!v(PANIC=String method: v).
func (p *printer) methodPanic(arg any, verb rune, name string, v any) {
	if b, ok := arg.(*box); ok {
		if c, isPtr := b.v.(*cell); isPtr && c == nil {
			p.buf.WriteString("<nil>")
			return
		}
	}
	if p.panicking {
		text, err := p.fr.in.panicText(v, false)
		if err != nil {
			text = "(" + typeName(v) + ")"
		}
		p.fr.in.panic(v, text)
	}
	p.buf.WriteString("%!" + string(verb) + "(PANIC=" + name + " method: ")
	p.panicking = true
	p.printArg(v, 'v', "")
	p.panicking = false
	p.buf.WriteByte(')')
}

// scalar prints a number, string or bool with the real fmt.
func (p *printer) scalar(v any, verb rune, spec string) {
	fmt.Fprintf(&p.buf, "%"+spec+string(verb), v)
}

// verbOK reports whether fmt accepts verb for a basic type.
func verbOK(b *types.Basic, verb rune) bool {
	switch {
	case b.Info()&types.IsInteger != 0:
		return strings.ContainsRune("vdboOxXcqU", verb)
	case b.Info()&types.IsBoolean != 0:
		return strings.ContainsRune("vt", verb)
	case b.Info()&types.IsString != 0:
		return strings.ContainsRune("vsqxX", verb)
	case b.Info()&types.IsFloat != 0:
		return strings.ContainsRune("vbeEfFgGxX", verb)
	}
	return false
}

// printValue prints v of type t (fmt's printValue); ro is true below an
// unexported field, where fmt cannot call methods.
func (p *printer) printValue(v any, t types.Type, verb rune, spec string, depth int, ro bool) {
	if depth > 0 && !ro {
		arg := v
		if !types.IsInterface(t) {
			arg = &box{t: t, v: v}
		}
		if arg != nil && p.handleMethods(arg, verb, spec) {
			return
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if !verbOK(u, verb) {
			p.badVerb(verb, &box{t: t, v: v})
			return
		}
		p.scalar(v, verb, spec)
	case *types.Interface:
		switch x := v.(type) {
		case nil:
			p.pad("<nil>", spec)
		case *box:
			p.printValue(x.v, x.t, verb, spec, depth+1, ro)
		case *errorValue, *chain.RuntimeError:
			p.fail("printing %s below an unexported field: Go prints its address, which the model cannot reproduce", dynTypeString(v))
		default:
			p.fail("printing a %T", v)
		}
	case *types.Struct:
		if named, ok := t.(*types.Named); ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() != "main" {
			p.fail("printing a %s is outside the subset", t)
		}
		s := v.(*structVal)
		p.buf.WriteByte('{')
		for i, f := range s.f {
			if i > 0 {
				p.buf.WriteByte(' ')
			}
			fld := u.Field(i)
			if strings.Contains(spec, "+") && verb == 'v' {
				p.buf.WriteString(fld.Name())
				p.buf.WriteByte(':')
			}
			p.printValue(f.v, fld.Type(), verb, spec, depth+1, ro || !fld.Exported())
		}
		p.buf.WriteByte('}')
	case *types.Map:
		m, _ := v.(*mapVal)
		p.buf.WriteString("map[")
		for i, e := range m.sorted() {
			if i > 0 {
				p.buf.WriteByte(' ')
			}
			p.printValue(e.k, u.Key(), verb, spec, depth+1, ro)
			p.buf.WriteByte(':')
			p.printValue(e.v, u.Elem(), verb, spec, depth+1, ro)
		}
		p.buf.WriteByte(']')
	case *types.Slice:
		s, _ := v.(*slice)
		p.buf.WriteByte('[')
		if s != nil {
			for i := range s.len {
				if i > 0 {
					p.buf.WriteByte(' ')
				}
				p.printValue(s.at(i), u.Elem(), verb, spec, depth+1, ro)
			}
		}
		p.buf.WriteByte(']')
	case *types.Array:
		a := v.(*arrayVal)
		p.buf.WriteByte('[')
		for i, e := range a.e {
			if i > 0 {
				p.buf.WriteByte(' ')
			}
			p.printValue(e.v, u.Elem(), verb, spec, depth+1, ro)
		}
		p.buf.WriteByte(']')
	case *types.Pointer:
		c, _ := v.(*cell)
		if c == nil {
			if verb == 'v' {
				p.pad("<nil>", spec)
				return
			}
			p.fail("printing a nil pointer with %%%c is outside the subset", verb)
		}
		if depth == 0 {
			switch u.Elem().Underlying().(type) {
			case *types.Struct, *types.Array, *types.Slice, *types.Map:
				p.buf.WriteByte('&')
				p.printValue(c.v, u.Elem(), verb, spec, depth+1, ro)
				return
			}
		}
		p.fail("printing a pointer (%s): Go prints an address, which the model cannot reproduce", dynTypeString(&box{t: t}))
	case *types.Signature, *types.Chan:
		if isNil(v) && verb == 'v' {
			p.pad("<nil>", spec)
			return
		}
		p.fail("printing a %s: Go prints an address, which the model cannot reproduce", dynTypeString(&box{t: t}))
	default:
		p.fail("printing a value of type %s is outside the subset", t)
	}
}

// dynTypeString is the reflect name of the dynamic type of arg (%T).
func dynTypeString(arg any) string {
	switch x := arg.(type) {
	case nil:
		return "<nil>"
	case *box:
		return reflectName(x.t)
	case *errorValue:
		return x.typeName()
	case *chain.RuntimeError:
		if x.Plain {
			return "runtime.plainError"
		}
		if x.Signal {
			return "runtime.errorString"
		}
		return "runtime.boundsError"
	}
	return fmt.Sprintf("%T", arg)
}

// reflectName writes a type as reflect's Type.String does.
func reflectName(t types.Type) string {
	switch t := t.(type) {
	case *types.Alias:
		return reflectName(types.Unalias(t))
	case *types.Named:
		if t.Obj().Pkg() == nil {
			return t.Obj().Name()
		}
		return t.Obj().Pkg().Name() + "." + t.Obj().Name()
	case *types.Basic:
		switch t.Kind() {
		case types.Byte:
			return "uint8"
		case types.Rune:
			return "int32"
		}
		return t.Name()
	case *types.Pointer:
		return "*" + reflectName(t.Elem())
	case *types.Slice:
		return "[]" + reflectName(t.Elem())
	case *types.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), reflectName(t.Elem()))
	case *types.Map:
		return "map[" + reflectName(t.Key()) + "]" + reflectName(t.Elem())
	case *types.Chan:
		switch t.Dir() {
		case types.SendOnly:
			return "chan<- " + reflectName(t.Elem())
		case types.RecvOnly:
			return "<-chan " + reflectName(t.Elem())
		}
		return "chan " + reflectName(t.Elem())
	case *types.Signature:
		var b strings.Builder
		b.WriteString("func(")
		for i := range t.Params().Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			pt := t.Params().At(i).Type()
			if t.Variadic() && i == t.Params().Len()-1 {
				b.WriteString("..." + reflectName(pt.(*types.Slice).Elem()))
				continue
			}
			b.WriteString(reflectName(pt))
		}
		b.WriteString(")")
		switch r := t.Results(); r.Len() {
		case 0:
		case 1:
			b.WriteString(" " + reflectName(r.At(0).Type()))
		default:
			b.WriteString(" (")
			for i := range r.Len() {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(reflectName(r.At(i).Type()))
			}
			b.WriteString(")")
		}
		return b.String()
	case *types.Interface:
		if t.NumMethods() == 0 {
			return "interface {}"
		}
		var ms []string
		for m := range t.Methods() {
			ms = append(ms, m.Name()+strings.TrimPrefix(reflectName(m.Signature()), "func"))
		}
		return "interface { " + strings.Join(ms, "; ") + " }"
	case *types.Struct:
		if t.NumFields() == 0 {
			return "struct {}"
		}
		var fs []string
		for f := range t.Fields() {
			if f.Embedded() {
				fs = append(fs, reflectName(f.Type()))
				continue
			}
			fs = append(fs, f.Name()+" "+reflectName(f.Type()))
		}
		return "struct { " + strings.Join(fs, "; ") + " }"
	}
	return t.String()
}

// The fmt functions of the library.

func (fr *frame) fmtCall(e *ast.CallExpr, name, format string, args []any) []any {
	in := fr.in
	p := fr.newPrinter()
	switch name {
	case "fmt.Println", "fmt.Sprintln":
		p.doPrintln(args)
	case "fmt.Print", "fmt.Sprint":
		p.doPrint(args)
	case "fmt.Printf", "fmt.Sprintf":
		p.doPrintf(format, args)
	case "fmt.Errorf":
		p.errorf = true
		p.doPrintf(format, args)
		s := p.buf.String()
		switch len(p.wrapped) {
		case 0:
			return []any{&errorValue{msg: s}}
		case 1:
			return []any{&errorValue{msg: s, typ: "*fmt.wrapError", wrapped: p.wrapped}}
		}
		return []any{&errorValue{msg: s, typ: "*fmt.wrapErrors", wrapped: p.wrapped}}
	default:
		in.fail("%s: %s is outside the subset", in.p.Fset.Position(e.Pos()), name)
	}
	s := p.buf.String()
	if strings.HasPrefix(name, "fmt.S") {
		if len(s) > maxLen {
			in.fail("%s: a string longer than %d bytes is beyond the model's memory limit", in.p.Fset.Position(e.Pos()), maxLen)
		}
		return []any{s}
	}
	in.stdout.WriteString(s)
	in.checkOutput(e)
	return []any{len(s), nil}
}
