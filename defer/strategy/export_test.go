package strategy

import (
	"go/ast"
	"go/token"
	"go/types"
)

// An InlineCost is the model's estimate of what the inliner charges for
// one function or function literal, and whether it could be inlined at
// all.
type InlineCost struct {
	Cost int
	OK   bool
}

// InlineCosts returns the model's inlining cost of every function
// declaration and function literal in files, by the position the
// compiler's -m=2 reports for it: the name of a function, the receiver
// of a method, the func keyword of a literal.
func InlineCosts(fset *token.FileSet, files []*ast.File, info *types.Info) map[token.Position]InlineCost {
	d := &decider{fset: fset, info: info, decls: map[*types.Func]*ast.FuncDecl{}, params: map[*types.Var]bool{}}
	out := map[token.Position]InlineCost{}
	for _, f := range files {
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok {
				if fn, ok := info.Defs[fd.Name].(*types.Func); ok {
					d.decls[fn] = fd
				}
			}
		}
	}
	d.findBoundLits(files)
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncDecl:
				c, ok := d.declCost(x)
				pos := x.Name.Pos()
				if x.Recv != nil {
					pos = x.Recv.Opening // -m=2 names a method at its receiver
				}
				out[fset.Position(pos)] = InlineCost{c, ok}
			case *ast.FuncLit:
				c, ok := d.closureCost(x)
				out[fset.Position(x.Pos())] = InlineCost{c, ok}
			}
			return true
		})
	}
	return out
}
