// Package funcname names function declarations the way the compiler's
// -d=defer diagnostics and deferio's reports refer to them.
package funcname

import "go/ast"

// Of returns "F" for a function and "T.M" for a method, whatever the
// receiver's form: T, *T, (T), T[P] or *T[P, Q].
func Of(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.ParenExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		}
		break
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}
