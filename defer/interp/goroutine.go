package interp

import (
	"go/ast"
	"go/types"
)

// goStmt evaluates the function and arguments of a go statement now, as
// Go does, and starts the call on a new goroutine.
func (fr *frame) goStmt(s *ast.GoStmt) {
	pc := fr.prepare(s.Call)
	name := "go statement"
	if fv, ok := fr.in.p.Info.Uses[calleeIdent(s.Call)].(*types.Func); ok {
		name = "main." + fv.Name()
	} else if lit, ok := ast.Unparen(s.Call.Fun).(*ast.FuncLit); ok {
		name = fr.in.names[lit]
	}
	fr.in.goStmt(&funcValue{name: name}, nil, func() { pc.run() })
}

func calleeIdent(e *ast.CallExpr) *ast.Ident {
	id, _ := ast.Unparen(e.Fun).(*ast.Ident)
	return id
}

func isChan(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Chan)
	return ok
}

// prepareLibMethod prepares a call of a method of the library's types
// (libMethods); a pointer receiver gets the variable's cell.
func (fr *frame) prepareLibMethod(e *ast.CallExpr, sel *ast.SelectorExpr, s *types.Selection) (prepared, bool) {
	fn, ok := s.Obj().(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg() == fr.in.p.Pkg {
		return prepared{}, false
	}
	m, ok := libMethods[fn.FullName()]
	if !ok {
		return prepared{}, false
	}
	var recv any
	_, ptrRecv := fn.Signature().Recv().Type().(*types.Pointer)
	_, xPtr := fr.in.p.Info.TypeOf(sel.X).Underlying().(*types.Pointer)
	if ptrRecv && !xPtr {
		recv = fr.lvalue(sel.X).c
	} else {
		recv = fr.eval(sel.X)
	}
	args := fr.args(e.Args, s.Type().(*types.Signature), e.Ellipsis.IsValid())
	return prepared{run: func() []any { return m(fr, recv, args) }}, true
}
