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
			return fmt.Errorf("%s: import %q is outside the subset (it has fmt, errors, os and runtime)", fset.Position(im.Pos()), path)
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
}

func (c *subsetChecker) errorf(n ast.Node, format string, args ...any) {
	c.errs = append(c.errs, posError{n.Pos(), fmt.Errorf("%s: %s", c.p.Fset.Position(n.Pos()), fmt.Sprintf(format, args...))})
}

func (c *subsetChecker) decl(d ast.Decl) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil {
			if len(d.Recv.List) != 1 || len(d.Recv.List[0].Names) > 1 {
				c.errorf(d, "method %s: malformed receiver", d.Name.Name)
				return
			}
			if _, ptr := d.Recv.List[0].Type.(*ast.StarExpr); ptr {
				c.errorf(d, "method %s: pointer receivers are outside the subset (value receivers are in)", d.Name.Name)
				return
			}
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
				if !namedBasic(c.p.Info.Defs[ts.Name].Type()) {
					c.errorf(ts, "type %s: only named types over int, bool or string are in the subset", ts.Name.Name)
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
		for _, e := range s.Lhs {
			if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
				continue
			}
			switch ast.Unparen(e).(type) {
			case *ast.Ident, *ast.StarExpr, *ast.IndexExpr:
			default:
				c.errorf(e, "assignment to %T is outside the subset", e)
			}
			c.expr(e)
		}
		for _, e := range s.Rhs {
			c.expr(e)
		}
		if len(s.Lhs) != len(s.Rhs) {
			if len(s.Rhs) != 1 {
				c.errorf(s, "assignment with mismatched sides")
			} else if _, ok := ast.Unparen(s.Rhs[0]).(*ast.TypeAssertExpr); !ok {
				if _, ok := ast.Unparen(s.Rhs[0]).(*ast.CallExpr); !ok && !isRecvExpr(s.Rhs[0]) {
					c.errorf(s, "multi-value assignment from %T is outside the subset", s.Rhs[0])
				}
			}
		}
	case *ast.IncDecStmt:
		c.expr(s.X)
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
		t := c.p.Info.TypeOf(s.X)
		switch u := t.Underlying().(type) {
		case *types.Slice, *types.Chan:
		case *types.Basic:
			if u.Info()&types.IsInteger == 0 {
				c.errorf(s, "range over %s is outside the subset (ranges over ints and slices are in)", t)
			}
		default:
			c.errorf(s, "range over %s is outside the subset (ranges over ints and slices are in)", t)
		}
		if s.Tok == token.ASSIGN {
			c.errorf(s, "range with = is outside the subset (use :=)")
		}
		c.expr(s.X)
		c.block(s.Body)
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
	case *ast.TypeSwitchStmt:
		c.errorf(s, "type switches are outside the subset (use v, ok := x.(T))")
	default:
		c.errorf(s, "statement %T is outside the subset", s)
	}
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
		if obj, ok := info.Uses[e].(*types.Var); ok && obj.Parent() == nil {
			c.errorf(e, "%s is outside the subset", e.Name)
		}
	case *ast.BasicLit:
	case *ast.ParenExpr:
		c.expr(e.X)
	case *ast.FuncLit:
		c.block(e.Body)
	case *ast.CompositeLit:
		if _, ok := info.TypeOf(e).Underlying().(*types.Slice); !ok {
			c.errorf(e, "composite literal of type %s is outside the subset (slice literals are in)", info.TypeOf(e))
			return
		}
		for _, el := range e.Elts {
			if _, ok := el.(*ast.KeyValueExpr); ok {
				c.errorf(el, "keyed slice literal elements are outside the subset")
				continue
			}
			c.expr(el)
		}
	case *ast.SelectorExpr:
		if _, ok := info.Selections[e]; ok {
			c.errorf(e, "method value %s is outside the subset (call it: x.%s(...))", e.Sel.Name, e.Sel.Name)
		} else if _, ok := info.Uses[e.Sel].(*types.Func); !ok {
			c.errorf(e, "selector %s is outside the subset (only calls of the library are in)", e.Sel.Name)
		}
	case *ast.IndexExpr:
		if _, ok := info.TypeOf(e.X).Underlying().(*types.Slice); !ok {
			c.errorf(e, "indexing %s is outside the subset (indexing slices is in)", info.TypeOf(e.X))
		}
		c.expr(e.X)
		c.expr(e.Index)
	case *ast.SliceExpr:
		if _, ok := info.TypeOf(e.X).Underlying().(*types.Slice); !ok || e.Slice3 {
			c.errorf(e, "slicing %s is outside the subset (s[a:b] of a slice is in)", info.TypeOf(e.X))
		}
		c.expr(e.X)
		for _, x := range []ast.Expr{e.Low, e.High} {
			if x != nil {
				c.expr(x)
			}
		}
	case *ast.TypeAssertExpr:
		if e.Type == nil {
			c.errorf(e, "type switches are outside the subset")
			return
		}
		t := info.TypeOf(e.Type)
		if !assertable(t) {
			c.errorf(e, "type assertion to %s is outside the subset (int, bool, string and error are in)", t)
		}
		c.expr(e.X)
	case *ast.StarExpr:
		c.expr(e.X)
	case *ast.UnaryExpr:
		switch e.Op {
		case token.SUB, token.ADD, token.NOT, token.ARROW:
		case token.AND:
			if _, ok := ast.Unparen(e.X).(*ast.Ident); !ok {
				c.errorf(e, "& of %T is outside the subset (&x of a variable is in)", e.X)
			}
		default:
			c.errorf(e, "operator %s is outside the subset", e.Op)
		}
		c.expr(e.X)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM,
			token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ,
			token.LAND, token.LOR:
		default:
			c.errorf(e, "operator %s is outside the subset", e.Op)
		}
		c.expr(e.X)
		c.expr(e.Y)
	case *ast.CallExpr:
		c.call(e)
	default:
		c.errorf(e, "expression %T is outside the subset", e)
	}
}

// namedBasic reports whether t is a type declared by the program over
// int, bool or string.
func namedBasic(t types.Type) bool {
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "main" || n.Obj().Parent() != n.Obj().Pkg().Scope() {
		return false
	}
	b, ok := n.Underlying().(*types.Basic)
	return ok && (b.Kind() == types.Int || b.Kind() == types.Bool || b.Kind() == types.String)
}

func assertable(t types.Type) bool {
	if namedBasic(t) {
		return true
	}
	if b, ok := t.(*types.Basic); ok {
		return b.Kind() == types.Int || b.Kind() == types.Bool || b.Kind() == types.String
	}
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

func (c *subsetChecker) call(e *ast.CallExpr) {
	info := c.p.Info
	if tv := info.Types[e.Fun]; tv.IsType() {
		if len(e.Args) == 1 {
			from, to := info.TypeOf(e.Args[0]), tv.Type
			if !types.Identical(from.Underlying(), to.Underlying()) && !isInterface(to) && !(isBasicInt(from) && isBasicInt(to)) {
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
			switch b.Name() {
			case "len", "cap", "append", "panic", "recover", "print", "println", "close":
			case "make":
				if _, ok := info.TypeOf(e.Args[0]).Underlying().(*types.Slice); !ok && !isChan(info.TypeOf(e.Args[0])) {
					c.errorf(e, "make of %s is outside the subset (make of a slice is in)", info.TypeOf(e.Args[0]))
				}
				for _, a := range e.Args[1:] {
					c.expr(a)
				}
				return
			default:
				c.errorf(e, "builtin %s is outside the subset", b.Name())
				return
			}
			if b.Name() == "print" || b.Name() == "println" {
				for _, a := range e.Args {
					t, ok := info.TypeOf(a).Underlying().(*types.Basic)
					switch {
					case !ok:
						c.errorf(a, "%s of a value of type %s is outside the subset (Go prints addresses for it)", b.Name(), info.TypeOf(a))
					case t.Info()&(types.IsInteger|types.IsBoolean|types.IsString) == 0:
						c.errorf(a, "%s of a value of type %s is outside the subset (only int, bool and string are)", b.Name(), info.TypeOf(a))
					}
				}
			}
			if b.Name() == "panic" && len(e.Args) == 1 {
				if why := panicProblem(info.TypeOf(e.Args[0])); why != "" {
					c.errorf(e, "panic with a value of type %s: %s", info.TypeOf(e.Args[0]), why)
				}
			}
		}
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[fun]; ok {
			library = true // a method call: check the receiver, not the method value
			if sel.Kind() != types.MethodVal {
				c.errorf(fun, "method expression %s is outside the subset", fun.Sel.Name)
			}
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

func isBasicInt(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// fmtArgs rejects what fmt would print differently for the model:
// pointers and funcs (addresses), %T and %p, non-constant formats.
func (c *subsetChecker) fmtArgs(e *ast.CallExpr, name string) {
	args := e.Args
	if strings.HasSuffix(name, "f") {
		if len(args) == 0 {
			return
		}
		tv := c.p.Info.Types[args[0]]
		if tv.Value == nil {
			c.errorf(args[0], "fmt.%s with a format that is not a constant is outside the subset", name)
		} else if f := tv.Value.ExactString(); strings.Contains(f, "%T") || strings.Contains(f, "%p") {
			c.errorf(args[0], "fmt.%s with %%T or %%p is outside the subset (the model's types and addresses differ)", name)
		}
		args = args[1:]
	}
	for _, a := range args {
		if why := printProblem(c.p.Info.TypeOf(a)); why != "" {
			c.errorf(a, "fmt.%s of a value of type %s: %s", name, c.p.Info.TypeOf(a), why)
		}
	}
}

func printProblem(t types.Type) string {
	switch u := t.Underlying().(type) {
	case *types.Pointer, *types.Signature:
		return "Go prints an address, which the model cannot reproduce"
	case *types.Slice:
		return printProblem(u.Elem())
	}
	return ""
}

func panicProblem(t types.Type) string {
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Signature, *types.Slice:
		return "Go prints its address, which the model cannot reproduce"
	}
	return ""
}

// typeProblem says why t is outside the subset, or "".
func (c *subsetChecker) typeProblem(t types.Type) string {
	switch t := t.(type) {
	case *types.Basic:
		switch t.Kind() {
		case types.Int, types.Bool, types.String, types.UntypedBool, types.UntypedInt,
			types.UntypedString, types.UntypedNil, types.UntypedRune:
			return ""
		}
		return "only int, bool and string are in the subset"
	case *types.Named:
		if t.Obj().Pkg() == nil && t.Obj().Name() == "error" || namedBasic(t) {
			return ""
		}
		if t.Obj().Pkg() != nil && libZero[t.Obj().Pkg().Path()+"."+t.Obj().Name()] != nil {
			return ""
		}
		return "named types other than error and the program's own types over int, bool or string are outside the subset"
	case *types.Alias:
		return c.typeProblem(types.Unalias(t))
	case *types.Interface:
		if t.Empty() {
			return ""
		}
		return "interfaces other than any and error are outside the subset"
	case *types.Pointer:
		return c.typeProblem(t.Elem())
	case *types.Slice:
		return c.typeProblem(t.Elem())
	case *types.Chan:
		return c.typeProblem(t.Elem())
	case *types.Signature:
		for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
			for i := range tup.Len() {
				if why := c.typeProblem(tup.At(i).Type()); why != "" {
					return why
				}
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
