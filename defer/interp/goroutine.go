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
