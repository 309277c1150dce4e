package strategy

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

// resultOnHeap reports why a result parameter of fn would be moved to the
// heap, or "". The compiler decides this by escape analysis, which sees
// the escape tags of every callee; this is a syntactic approximation of
// its common cases:
//
//   - the address of the result is taken (&r, &r.f, &r[i] of an array,
//     or a pointer-method call r.M()) and used other than by an
//     immediate dereference;
//   - a closure that may outlive the call (not called on the spot, not
//     deferred at loop depth 1) captures the result by reference, which
//     the compiler does when the result is assigned after its
//     declaration, its address is taken, or it is larger than 128 bytes
//     (escape/escape.go flowClosure).
func (d *decider) resultOnHeap(fn *funcUnit) string {
	if fn.typ == nil || fn.typ.Results == nil {
		return ""
	}
	results := map[types.Object]bool{}
	for _, f := range fn.typ.Results.List {
		for _, n := range f.Names {
			if obj := d.info.Defs[n]; obj != nil && n.Name != "_" {
				results[obj] = true
			}
		}
	}
	if len(results) == 0 {
		return ""
	}
	s := &resultScan{d: d, results: results, assigned: map[types.Object]bool{}, addr: map[types.Object]token.Pos{}}
	s.scan(fn.body, nil)
	for obj, pos := range s.addr {
		return fmt.Sprintf("the address of result %s is taken at line %d", obj.Name(), d.fset.Position(pos).Line)
	}
	for _, c := range s.captures {
		if !s.assigned[c.obj] && d.sizeof(c.obj.Type()) <= 128 {
			continue // captured by value
		}
		return fmt.Sprintf("result %s is captured by reference by a closure at line %d that may outlive the call", c.obj.Name(), d.fset.Position(c.lit.Pos()).Line)
	}
	return ""
}

type capture struct {
	obj types.Object
	lit *ast.FuncLit
}

type resultScan struct {
	d        *decider
	results  map[types.Object]bool
	assigned map[types.Object]bool
	addr     map[types.Object]token.Pos
	captures []capture
}

func (s *resultScan) result(e ast.Expr) types.Object {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
			continue
		case *ast.SelectorExpr:
			if sel, ok := s.d.info.Selections[x]; ok && sel.Kind() == types.FieldVal && !sel.Indirect() {
				e = x.X
				continue
			}
			if s.d.info.Selections == nil {
				e = x.X
				continue
			}
		case *ast.IndexExpr:
			if tv, ok := s.d.info.Types[x.X]; ok && tv.Type != nil {
				if _, isArr := tv.Type.Underlying().(*types.Array); isArr {
					e = x.X
					continue
				}
			}
		case *ast.Ident:
			if obj := s.d.info.Uses[x]; obj != nil && s.results[obj] {
				return obj
			}
		}
		return nil
	}
}

// scan walks n; lit is the closure we are in (nil for the function).
func (s *resultScan) scan(n ast.Node, lit *ast.FuncLit) {
	// Closures that cannot outlive the call: called on the spot, or the
	// function of a defer statement (a defer in a loop turns open coding
	// off anyway).
	safe := map[*ast.FuncLit]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if fl, ok := ast.Unparen(x.Fun).(*ast.FuncLit); ok {
				safe[fl] = true
			}
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
				if obj := s.result(sel.X); obj != nil {
					if selection, ok := s.d.info.Selections[sel]; ok && selection.Kind() == types.MethodVal {
						if sig, ok := selection.Obj().Type().(*types.Signature); ok && sig.Recv() != nil {
							if _, ptr := sig.Recv().Type().(*types.Pointer); ptr && !isPointer(s.d.info.Types[sel.X].Type) {
								s.addr[obj] = sel.Pos()
							}
						}
					}
				}
			}
		case *ast.DeferStmt:
			if fl, ok := ast.Unparen(x.Call.Fun).(*ast.FuncLit); ok {
				safe[fl] = true
			}
		case *ast.FuncLit:
			if x != lit {
				inner := x
				if !safe[inner] {
					ast.Inspect(inner.Body, func(n ast.Node) bool {
						if id, ok := n.(*ast.Ident); ok {
							if obj := s.d.info.Uses[id]; obj != nil && s.results[obj] {
								s.captures = append(s.captures, capture{obj, inner})
							}
						}
						return true
					})
				}
				s.scan(inner.Body, inner)
				return false
			}
		case *ast.UnaryExpr:
			if x.Op == token.AND {
				if obj := s.result(x.X); obj != nil {
					s.addr[obj] = x.Pos()
				}
			}
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if obj := s.result(l); obj != nil {
					s.assigned[obj] = true
				}
			}
		case *ast.IncDecStmt:
			if obj := s.result(x.X); obj != nil {
				s.assigned[obj] = true
			}
		case *ast.RangeStmt:
			for _, l := range []ast.Expr{x.Key, x.Value} {
				if l != nil {
					if obj := s.result(l); obj != nil {
						s.assigned[obj] = true
					}
				}
			}
		case *ast.ReturnStmt:
			if len(x.Results) > 0 && lit == nil {
				for obj := range s.results {
					s.assigned[obj] = true
				}
			}
		}
		return true
	})
}

func isPointer(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}

var sizes = types.SizesFor("gc", "amd64")

func (d *decider) sizeof(t types.Type) (size int64) {
	defer func() {
		if recover() != nil { // type parameters and broken types
			size = 0
		}
	}()
	s := types.SizesFor("gc", d.cfg.goarch())
	if s == nil {
		s = sizes
	}
	return s.Sizeof(t)
}
