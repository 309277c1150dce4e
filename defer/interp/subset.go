package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
)

// checkImports rejects imports and package members outside the library
// before type checking, so the error names the construct.
func checkImports(fset *token.FileSet, file *ast.File) error {
	names := map[string]string{} // local name -> path
	for _, im := range file.Imports {
		path, err := strconv.Unquote(im.Path.Value)
		if err != nil {
			return fmt.Errorf("%s: bad import path %s", fset.Position(im.Pos()), im.Path.Value)
		}
		if _, ok := library[path]; !ok {
			return fmt.Errorf("%s: import %q is outside the subset (it has %s)", fset.Position(im.Pos()), path, libraryPaths())
		}
		name := path
		if im.Name != nil {
			if im.Name.Name == "_" || im.Name.Name == "." {
				return fmt.Errorf("%s: import %s %q is outside the subset (use a plain import)", fset.Position(im.Pos()), im.Name.Name, path)
			}
			name = im.Name.Name
		}
		names[name] = path
	}
	var err error
	ast.Inspect(file, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || err != nil {
			return err == nil
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		path, ok := names[x.Name]
		if ok && !slices.Contains(library[path], sel.Sel.Name) {
			err = fmt.Errorf("%s: %s.%s is outside the subset (from %s it has %s)", fset.Position(sel.Pos()), x.Name, sel.Sel.Name, path, strings.Join(library[path], ", "))
		}
		return true
	})
	return err
}

// checkSubset walks the checked file and reports the constructs outside
// the subset, with their positions (at most ten).
func (p *Program) checkSubset() error {
	c := &subsetChecker{p: p}
	for _, d := range p.File.Decls {
		c.decl(d)
	}
	if len(c.errs) == 0 {
		for id, obj := range p.Info.Defs {
			if v, ok := obj.(*types.Var); ok {
				if why := c.typeProblem(v.Type()); why != "" {
					c.errorf(id, "variable %s has type %s: %s", id.Name, v.Type(), why)
				}
			}
		}
	}
	if len(c.errs) == 0 {
		return nil
	}
	slices.SortFunc(c.errs, func(a, b posError) int { return int(a.pos - b.pos) })
	var errs []error
	for i, e := range c.errs {
		if i == 10 {
			errs = append(errs, fmt.Errorf("and %d more", len(c.errs)-10))
			break
		}
		errs = append(errs, e.err)
	}
	return fmt.Errorf("the program is outside the subset: %w", errors.Join(errs...))
}

type posError struct {
	pos token.Pos
	err error
}

type subsetChecker struct {
	p    *Program
	errs []posError
	seen map[types.Type]string
}

func (c *subsetChecker) errorf(n ast.Node, format string, args ...any) {
	c.errs = append(c.errs, posError{n.Pos(), fmt.Errorf("%s: %s", c.p.Fset.Position(n.Pos()), fmt.Sprintf(format, args...))})
}

func (c *subsetChecker) decl(d ast.Decl) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && (len(d.Recv.List) != 1 || len(d.Recv.List[0].Names) > 1) {
			c.errorf(d, "method %s: malformed receiver", d.Name.Name)
			return
		}
		if d.Type.TypeParams != nil {
			c.errorf(d, "generic function %s: type parameters are outside the subset", d.Name.Name)
			return
		}
		if d.Body == nil {
			c.errorf(d, "function %s has no body: outside the subset", d.Name.Name)
			return
		}
		if d.Name.Name == "init" {
			c.errorf(d, "func init is outside the subset")
			return
		}
		c.block(d.Body)
	case *ast.GenDecl:
		switch d.Tok {
		case token.IMPORT:
		case token.TYPE:
			for _, spec := range d.Specs {
				ts := spec.(*ast.TypeSpec)
				if ts.Assign.IsValid() || ts.TypeParams != nil {
					c.errorf(ts, "type %s: aliases and generic types are outside the subset", ts.Name.Name)
					continue
				}
				t := c.p.Info.Defs[ts.Name].Type()
				if why := c.typeProblem(t.Underlying()); why != "" {
					c.errorf(ts, "type %s: %s", ts.Name.Name, why)
				}
			}
		case token.VAR, token.CONST:
			for _, s := range d.Specs {
				vs := s.(*ast.ValueSpec)
				for _, e := range vs.Values {
					c.expr(e)
				}
			}
		}
	default:
		c.errorf(d, "declaration %T is outside the subset", d)
	}
}

func (c *subsetChecker) block(b *ast.BlockStmt) {
	if b == nil {
		return
	}
	for _, s := range b.List {
		c.stmt(s)
	}
}

func (c *subsetChecker) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case nil, *ast.EmptyStmt:
	case *ast.BlockStmt:
		c.block(s)
	case *ast.ExprStmt:
		if u, ok := ast.Unparen(s.X).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			c.expr(s.X)
			return
		}
		if _, ok := ast.Unparen(s.X).(*ast.CallExpr); !ok {
			c.errorf(s, "expression statement that is not a call")
		}
		c.expr(s.X)
	case *ast.AssignStmt:
		c.assign(s)
	case *ast.IncDecStmt:
		c.target(s.X)
	case *ast.DeclStmt:
		c.decl(s.Decl)
	case *ast.IfStmt:
		c.stmt(s.Init)
		c.expr(s.Cond)
		c.block(s.Body)
		c.stmt(s.Else)
	case *ast.ForStmt:
		c.stmt(s.Init)
		if s.Cond != nil {
			c.expr(s.Cond)
		}
		c.stmt(s.Post)
		c.block(s.Body)
	case *ast.RangeStmt:
		c.rangeStmt(s)
	case *ast.SwitchStmt:
		c.stmt(s.Init)
		if s.Tag != nil {
			c.expr(s.Tag)
		}
		for _, cc := range s.Body.List {
			cl := cc.(*ast.CaseClause)
			for _, e := range cl.List {
				c.expr(e)
			}
			for _, st := range cl.Body {
				c.stmt(st)
			}
		}
	case *ast.TypeSwitchStmt:
		c.stmt(s.Init)
		switch a := s.Assign.(type) {
		case *ast.AssignStmt:
			c.expr(a.Rhs[0].(*ast.TypeAssertExpr).X)
		case *ast.ExprStmt:
			c.expr(a.X.(*ast.TypeAssertExpr).X)
		}
		for _, cc := range s.Body.List {
			for _, st := range cc.(*ast.CaseClause).Body {
				c.stmt(st)
			}
		}
	case *ast.BranchStmt:
	case *ast.LabeledStmt:
		c.stmt(s.Stmt)
	case *ast.ReturnStmt:
		for _, e := range s.Results {
			c.expr(e)
		}
	case *ast.DeferStmt:
		c.expr(s.Call)
	case *ast.GoStmt:
		c.expr(s.Call)
	case *ast.SendStmt:
		c.expr(s.Chan)
		c.expr(s.Value)
	case *ast.SelectStmt:
		for _, cc := range s.Body.List {
			cl := cc.(*ast.CommClause)
			c.stmt(cl.Comm)
			for _, st := range cl.Body {
				c.stmt(st)
			}
		}
	default:
		c.errorf(s, "statement %T is outside the subset", s)
	}
}

func (c *subsetChecker) assign(s *ast.AssignStmt) {
	for _, e := range s.Lhs {
		if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
			continue
		}
		c.target(e)
	}
	for _, e := range s.Rhs {
		c.expr(e)
	}
	if len(s.Lhs) == len(s.Rhs) {
		return
	}
	if len(s.Rhs) != 1 {
		c.errorf(s, "assignment with mismatched sides")
		return
	}
	switch r := ast.Unparen(s.Rhs[0]).(type) {
	case *ast.TypeAssertExpr, *ast.CallExpr:
	case *ast.IndexExpr:
		if _, ok := c.p.Info.TypeOf(r.X).Underlying().(*types.Map); !ok {
			c.errorf(s, "multi-value assignment from %T is outside the subset", r)
		}
	default:
		if !isRecvExpr(r) {
			c.errorf(s, "multi-value assignment from %T is outside the subset", r)
		}
	}
}

// target checks the left side of an assignment or of ++ and --.
func (c *subsetChecker) target(e ast.Expr) {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident, *ast.StarExpr, *ast.IndexExpr:
	case *ast.SelectorExpr:
		if s := c.p.Info.Selections[x]; s == nil || s.Kind() != types.FieldVal {
			c.errorf(e, "assignment to %s is outside the subset", x.Sel.Name)
			return
		}
	default:
		c.errorf(e, "assignment to %T is outside the subset", e)
	}
	c.expr(e)
}

func (c *subsetChecker) rangeStmt(s *ast.RangeStmt) {
	t := c.p.Info.TypeOf(s.X)
	const in = "ranges over ints, strings, slices, arrays, maps, channels and functions are in"
	switch u := t.Underlying().(type) {
	case *types.Slice, *types.Chan, *types.Map, *types.Array, *types.Signature:
	case *types.Pointer:
		if _, ok := u.Elem().Underlying().(*types.Array); !ok {
			c.errorf(s, "range over %s is outside the subset (%s)", t, in)
		}
	case *types.Basic:
		if u.Info()&(types.IsInteger|types.IsString) == 0 {
			c.errorf(s, "range over %s is outside the subset (%s)", t, in)
		}
	default:
		c.errorf(s, "range over %s is outside the subset (%s)", t, in)
	}
	if s.Tok == token.ASSIGN {
		for _, e := range []ast.Expr{s.Key, s.Value} {
			if e == nil {
				continue
			}
			if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
				continue
			}
			if isInterface(c.p.Info.TypeOf(e)) {
				c.errorf(e, "range with = to a variable of interface type is outside the subset (use :=)")
			}
			c.target(e)
		}
	}
	c.expr(s.X)
	c.block(s.Body)
}

func (c *subsetChecker) expr(e ast.Expr) {
	info := c.p.Info
	tv, ok := info.Types[e]
	if ok && tv.Value != nil {
		if why := c.typeProblem(tv.Type); why != "" {
			c.errorf(e, "constant of type %s: %s", tv.Type, why)
		}
		return
	}
	if ok && !tv.IsType() && tv.Type != nil {
		if why := c.typeProblem(tv.Type); why != "" {
			c.errorf(e, "expression of type %s: %s", tv.Type, why)
			return
		}
	}
	switch e := e.(type) {
	case *ast.Ident:
		if obj, ok := info.Uses[e].(*types.Var); ok && obj.Parent() == nil && obj.Pkg() != c.p.Pkg {
			c.errorf(e, "%s is outside the subset", e.Name)
		}
	case *ast.BasicLit:
	case *ast.ParenExpr:
		c.expr(e.X)
	case *ast.FuncLit:
		c.block(e.Body)
	case *ast.CompositeLit:
		c.compositeLit(e)
	case *ast.SelectorExpr:
		if _, ok := info.Selections[e]; ok {
			c.expr(e.X)
		} else if v, ok := info.Uses[e.Sel].(*types.Var); ok && v.Pkg() != nil && libVars[v.Pkg().Path()+"."+v.Name()] != nil {
			// os.Stdout, os.Stderr
		} else if _, ok := info.Uses[e.Sel].(*types.Func); !ok {
			c.errorf(e, "selector %s is outside the subset (only calls of the library are in)", e.Sel.Name)
		}
	case *ast.IndexExpr:
		switch u := info.TypeOf(e.X).Underlying().(type) {
		case *types.Slice, *types.Map, *types.Array, *types.Basic:
		case *types.Pointer:
			if _, ok := u.Elem().Underlying().(*types.Array); !ok {
				c.errorf(e, "indexing %s is outside the subset", info.TypeOf(e.X))
			}
		default:
			c.errorf(e, "indexing %s is outside the subset (slices, arrays, maps and strings are in)", info.TypeOf(e.X))
		}
		c.expr(e.X)
		c.expr(e.Index)
	case *ast.SliceExpr:
		switch u := info.TypeOf(e.X).Underlying().(type) {
		case *types.Slice, *types.Array:
		case *types.Pointer:
			if _, ok := u.Elem().Underlying().(*types.Array); !ok {
				c.errorf(e, "slicing %s is outside the subset", info.TypeOf(e.X))
			}
		case *types.Basic:
			if u.Info()&types.IsString == 0 {
				c.errorf(e, "slicing %s is outside the subset", info.TypeOf(e.X))
			}
		default:
			c.errorf(e, "slicing %s is outside the subset (slices, arrays and strings are in)", info.TypeOf(e.X))
		}
		c.expr(e.X)
		for _, x := range []ast.Expr{e.Low, e.High, e.Max} {
			if x != nil {
				c.expr(x)
			}
		}
	case *ast.TypeAssertExpr:
		if e.Type == nil {
			c.errorf(e, "x.(type) outside a type switch")
			return
		}
		c.expr(e.X)
	case *ast.StarExpr:
		c.expr(e.X)
	case *ast.UnaryExpr:
		switch e.Op {
		case token.SUB, token.ADD, token.NOT, token.ARROW, token.XOR:
		case token.AND:
		default:
			c.errorf(e, "operator %s is outside the subset", e.Op)
		}
		c.expr(e.X)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM,
			token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ,
			token.LAND, token.LOR, token.AND, token.OR, token.XOR, token.AND_NOT, token.SHL, token.SHR:
		default:
			c.errorf(e, "operator %s is outside the subset", e.Op)
		}
		c.expr(e.X)
		c.expr(e.Y)
	case *ast.CallExpr:
		c.call(e)
	case *ast.KeyValueExpr:
		c.expr(e.Value)
	default:
		c.errorf(e, "expression %T is outside the subset", e)
	}
}

func (c *subsetChecker) compositeLit(e *ast.CompositeLit) {
	t := c.p.Info.TypeOf(e)
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	switch t.Underlying().(type) {
	case *types.Struct, *types.Array, *types.Slice, *types.Map:
	default:
		c.errorf(e, "composite literal of type %s is outside the subset", t)
		return
	}
	for _, el := range e.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if _, isStruct := t.Underlying().(*types.Struct); !isStruct {
				c.expr(kv.Key)
			}
			c.expr(kv.Value)
			continue
		}
		c.expr(el)
	}
}

func (c *subsetChecker) call(e *ast.CallExpr) {
	info := c.p.Info
	if tv := info.Types[e.Fun]; tv.IsType() {
		if len(e.Args) == 1 {
			from, to := info.TypeOf(e.Args[0]), tv.Type
			if !convertible(from, to) {
				c.errorf(e, "conversion from %s to %s is outside the subset", from, to)
			}
			c.expr(e.Args[0])
		}
		return
	}
	library := false
	switch fun := ast.Unparen(e.Fun).(type) {
	case *ast.Ident:
		if b, ok := info.Uses[fun].(*types.Builtin); ok {
			library = true
			if !c.builtin(e, b.Name()) {
				return
			}
		}
	case *ast.SelectorExpr:
		if _, ok := info.Selections[fun]; ok {
			library = true // a method call: check the receiver, not the method value
			c.expr(fun.X)
		} else if fn, ok := info.Uses[fun.Sel].(*types.Func); ok && fn.Pkg() != nil {
			library = true
			if fn.Pkg().Path() == "fmt" {
				c.fmtArgs(e, fn.Name())
			}
		}
	}
	if !library {
		c.expr(e.Fun)
	}
	for _, a := range e.Args {
		c.expr(a)
	}
}

// builtin checks a call of a builtin; false means its arguments are
// checked already.
func (c *subsetChecker) builtin(e *ast.CallExpr, name string) bool {
	info := c.p.Info
	switch name {
	case "new":
		if why := c.typeProblem(info.TypeOf(e.Args[0])); why != "" {
			c.errorf(e, "new(%s): %s", info.TypeOf(e.Args[0]), why)
		}
		return false
	case "len", "cap", "append", "panic", "recover", "print", "println", "close", "delete", "copy":
	case "make":
		switch info.TypeOf(e.Args[0]).Underlying().(type) {
		case *types.Slice, *types.Chan, *types.Map:
		default:
			c.errorf(e, "make of %s is outside the subset", info.TypeOf(e.Args[0]))
		}
		for _, a := range e.Args[1:] {
			c.expr(a)
		}
		return false
	default:
		c.errorf(e, "builtin %s is outside the subset", name)
		return false
	}
	if name == "copy" {
		if _, ok := info.TypeOf(e.Args[1]).Underlying().(*types.Slice); !ok {
			c.errorf(e, "copy from a %s is outside the subset (from a slice it is in)", info.TypeOf(e.Args[1]))
		}
	}
	if name == "print" || name == "println" {
		for _, a := range e.Args {
			if isNilConversion(info, a) {
				continue // (chan int)(nil) prints 0x0
			}
			t, ok := info.TypeOf(a).Underlying().(*types.Basic)
			switch {
			case !ok:
				switch info.TypeOf(a).Underlying().(type) {
				case *types.Struct, *types.Array:
					c.errorf(a, "%s of a value of type %s is outside the subset (the compiler rejects it)", name, info.TypeOf(a))
				}
			case t.Info()&(types.IsInteger|types.IsBoolean|types.IsString|types.IsFloat) == 0:
				c.errorf(a, "%s of a value of type %s is outside the subset (only numbers, bool and string are)", name, info.TypeOf(a))
			case info.Types[a].Value != nil:
				continue // a constant of any integer type prints its value
			}
			c.expr(a)
		}
		return false
	}
	if name == "panic" && len(e.Args) == 1 {
		if why := panicProblem(info.TypeOf(e.Args[0])); why != "" {
			c.errorf(e, "panic with a value of type %s: %s", info.TypeOf(e.Args[0]), why)
		}
	}
	return true
}

// convertible reports whether the model converts from to to: between
// types with identical underlying types, to an interface, and between
// the integer types and float64.
func convertible(from, to types.Type) bool {
	if types.Identical(from.Underlying(), to.Underlying()) || isInterface(to) {
		return true
	}
	if b, ok := from.(*types.Basic); ok && b.Kind() == types.UntypedNil {
		return true // []T(nil), (*T)(nil)
	}
	num := func(t types.Type) bool { return isBasicInt(t) || isFloat(t) }
	if num(from) && num(to) || isBasicInt(from) && isString(to) {
		return true
	}
	if s, ok := to.Underlying().(*types.Slice); ok && isString(from) && isBasicInt(s.Elem()) {
		return true // []byte(s), []rune(s)
	}
	if s, ok := from.Underlying().(*types.Slice); ok && isString(to) && isBasicInt(s.Elem()) {
		return true
	}
	pf, ok1 := from.Underlying().(*types.Pointer)
	pt, ok2 := to.Underlying().(*types.Pointer)
	return ok1 && ok2 && types.Identical(pf.Elem().Underlying(), pt.Elem().Underlying())
}

func isBasicInt(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// fmtArgs rejects what fmt would print differently for the model:
// pointers below the top level and funcs (addresses), %p, non-constant
// formats.
func (c *subsetChecker) fmtArgs(e *ast.CallExpr, name string) {
	args := e.Args
	if strings.HasPrefix(name, "F") && len(args) > 0 {
		args = args[1:] // the writer
	}
	if strings.HasSuffix(name, "f") {
		if len(args) == 0 {
			return
		}
		tv := c.p.Info.Types[args[0]]
		if tv.Value == nil {
			c.errorf(args[0], "fmt.%s with a format that is not a constant is outside the subset", name)
		} else if strings.Contains(tv.Value.ExactString(), "%p") {
			c.errorf(args[0], "fmt.%s with %%p is outside the subset (the model's addresses differ)", name)
		}
		args = args[1:]
	}
	for _, a := range args {
		if why := printProblem(c.p.Info.TypeOf(a), true, map[types.Type]bool{}); why != "" {
			c.errorf(a, "fmt.%s of a value of type %s: %s", name, c.p.Info.TypeOf(a), why)
		}
	}
}

// printProblem says why fmt's %v of a value of type t would print an
// address, or "". A type with an Error or String method prints its
// result; a pointer to a struct, an array, a slice or a map prints as
// &{...} at the top level, and as an address below it.
func printProblem(t types.Type, top bool, seen map[types.Type]bool) string {
	if seen[t] {
		return ""
	}
	seen[t] = true
	if hasPrintMethod(t) {
		return ""
	}
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time" {
		return "Go prints the wall clock, which the model does not have"
	}
	const addr = "Go prints an address, which the model cannot reproduce"
	switch u := t.Underlying().(type) {
	case *types.Signature, *types.Chan:
		return addr
	case *types.Pointer:
		if !top {
			return addr
		}
		switch u.Elem().Underlying().(type) {
		case *types.Struct, *types.Array, *types.Slice, *types.Map:
			return printProblem(u.Elem(), false, seen)
		}
		return addr
	case *types.Slice:
		return printProblem(u.Elem(), false, seen)
	case *types.Array:
		return printProblem(u.Elem(), false, seen)
	case *types.Map:
		if why := printProblem(u.Key(), false, seen); why != "" {
			return why
		}
		return printProblem(u.Elem(), false, seen)
	case *types.Struct:
		for f := range u.Fields() {
			if why := printProblem(f.Type(), false, seen); why != "" {
				return why
			}
		}
	}
	return ""
}

// hasPrintMethod reports whether fmt prints t through an Error or String
// method of its method set.
func hasPrintMethod(t types.Type) bool {
	if isInterface(t) {
		return false
	}
	ms := types.NewMethodSet(t)
	for _, name := range []string{"Error", "String"} {
		if sel := ms.Lookup(nil, name); sel != nil {
			sig := sel.Obj().Type().(*types.Signature)
			if sig.Params().Len() == 0 && sig.Results().Len() == 1 && types.Identical(sig.Results().At(0).Type(), types.Typ[types.String]) {
				return true
			}
		}
	}
	return false
}

// panicProblem says why the crash report of a panic with a value of
// static type t would print an address, or "".
func panicProblem(t types.Type) string {
	if isInterface(t) || hasPrintMethod(t) {
		return ""
	}
	if _, ok := t.Underlying().(*types.Basic); ok {
		return ""
	}
	return "Go prints its address, which the model cannot reproduce (give the type an Error or String method)"
}

// typeProblem says why t is outside the subset, or "".
func (c *subsetChecker) typeProblem(t types.Type) string {
	if c.seen == nil {
		c.seen = map[types.Type]string{}
	}
	if why, ok := c.seen[t]; ok {
		return why
	}
	c.seen[t] = "" // a recursive type is checked once
	why := c.typeProblem1(t)
	c.seen[t] = why
	return why
}

func (c *subsetChecker) typeProblem1(t types.Type) string {
	switch t := t.(type) {
	case *types.Basic:
		switch t.Kind() {
		case types.Int, types.Int8, types.Int16, types.Int32, types.Int64, types.Uint8, types.Uint16, types.Uint32,
			types.Float64, types.Bool, types.String, types.UntypedBool, types.UntypedInt,
			types.UntypedFloat, types.UntypedString, types.UntypedNil, types.UntypedRune:
			return ""
		}
		return "the integer types up to int64 and uint32, float64, bool and string are in the subset (uint, uint64, uintptr, float32 and complex types are not)"
	case *types.Named:
		obj := t.Obj()
		switch {
		case obj.Pkg() == nil && obj.Name() == "error":
			return ""
		case obj.Pkg() == c.p.Pkg:
			if t.TypeArgs().Len() > 0 {
				return "generic types are outside the subset"
			}
			return c.typeProblem(t.Underlying())
		case obj.Pkg() != nil && libZero[obj.Pkg().Path()+"."+obj.Name()] != nil:
			return ""
		case obj.Pkg() != nil && isInterface(t) && slices.Contains(library[obj.Pkg().Path()], obj.Name()):
			return "" // fmt.Stringer
		}
		return fmt.Sprintf("type %s is outside the subset", t)
	case *types.Alias:
		return c.typeProblem(types.Unalias(t))
	case *types.Interface:
		for m := range t.Methods() {
			if why := c.typeProblem(m.Type()); why != "" {
				return why
			}
		}
		return ""
	case *types.Pointer:
		return c.typeProblem(t.Elem())
	case *types.Slice:
		return c.typeProblem(t.Elem())
	case *types.Array:
		return c.typeProblem(t.Elem())
	case *types.Map:
		if why := c.typeProblem(t.Key()); why != "" {
			return why
		}
		return c.typeProblem(t.Elem())
	case *types.Chan:
		return c.typeProblem(t.Elem())
	case *types.Struct:
		for f := range t.Fields() {
			if why := c.typeProblem(f.Type()); why != "" {
				return why
			}
		}
		return ""
	case *types.Signature:
		for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
			if why := c.typeProblem(tup); why != "" {
				return why
			}
		}
		return ""
	case *types.Tuple:
		for i := range t.Len() {
			if why := c.typeProblem(t.At(i).Type()); why != "" {
				return why
			}
		}
		return ""
	}
	return fmt.Sprintf("%s types are outside the subset", strings.ToLower(strings.TrimPrefix(fmt.Sprintf("%T", t), "*types.")))
}

func isRecvExpr(e ast.Expr) bool {
	u, ok := ast.Unparen(e).(*ast.UnaryExpr)
	return ok && u.Op == token.ARROW
}

// isNilConversion reports whether e is T(nil).
func isNilConversion(info *types.Info, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || !info.Types[call.Fun].IsType() {
		return false
	}
	return info.Types[call.Args[0]].IsNil()
}
