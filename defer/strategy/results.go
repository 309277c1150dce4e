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
// its common cases, tuned on the standard library:
//
//   - the address of the result (&r, &r.f, &r[i] of an array, or r.M()
//     with a pointer method) leaves the function: it is returned, stored
//     anywhere but a local variable, sent on a channel, put in a
//     composite literal, passed to a go statement's call or to a defer
//     that is not stack-allocated, or passed as an interface argument
//     (fmt.Sscan(s, &r), json.Unmarshal(b, &r)); other pointer arguments
//     such as "defer catch(&err)" are assumed not to leak;
//   - a closure that may outlive the call captures the result by
//     reference. The closure may outlive the call when it is started by
//     go, deferred by a defer that is not stack-allocated (in fn or in
//     any closure inside it: the heap record holds the closure,
//     escape/call.go goDeferStmt), returned, stored anywhere but a local
//     variable, or passed as an interface argument; passed as an argument
//     of function type it is assumed not to escape, which is where the
//     compiler, reading the callee's escape tags, may disagree. It
//     captures by reference when the result is assigned after its
//     declaration (a return with values anywhere in fn, or a bare return
//     after the first closure that refers to it: escape/stmt.go counts
//     every return as an assignment of all results, and forgets those
//     before the first capture, escape/expr.go), its address is taken, or
//     it is larger than 128 bytes (escape/escape.go flowClosure).
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
	s := &resultScan{d: d, fn: fn, results: results, assigned: map[types.Object]bool{}}
	s.scan()
	if s.addrWhy != "" {
		return s.addrWhy
	}
	for _, c := range s.captures {
		if !s.assigned[c.obj] && !s.addrTaken[c.obj] && d.sizeof(c.obj.Type()) <= 128 {
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
	d         *decider
	fn        *funcUnit
	results   map[types.Object]bool
	assigned  map[types.Object]bool
	addrTaken map[types.Object]bool
	addrWhy   string
	captures  []capture
	// firstCapture is where the first closure that refers to each result
	// starts, and nakedReturns where the function's own bare returns are:
	// a bare return assigns every result (escape/stmt.go, ORETURN), and
	// the compiler counts the assignments that follow the first capture.
	firstCapture map[types.Object]token.Pos
	nakedReturns []token.Pos
}

// result returns the result parameter e denotes (r, r.f, r[i] of an
// array, parenthesized), or nil.
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

// scan walks fn's body once, keeping the path from the body to each
// node (stack, the node itself last) for [resultScan.visit], then counts
// the bare returns that follow each result's first capture.
func (s *resultScan) scan() {
	s.addrTaken = map[types.Object]bool{}
	s.firstCapture = map[types.Object]token.Pos{}
	var stack []ast.Node
	ast.Inspect(s.fn.body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		stack = append(stack, n)
		s.visit(stack)
		return true
	})
	for obj, capturedAt := range s.firstCapture {
		for _, ret := range s.nakedReturns {
			if ret > capturedAt {
				s.assigned[obj] = true
			}
		}
	}
}

// visit records what the node on top of stack does to the results:
// captures them in a closure, takes their address, assigns them, or
// returns.
func (s *resultScan) visit(stack []ast.Node) {
	n := stack[len(stack)-1]
	parent := ast.Node(nil)
	if len(stack) > 1 {
		parent = stack[len(stack)-2]
	}
	switch x := n.(type) {
	case *ast.FuncLit:
		s.forResults(x.Body, func(obj types.Object) {
			if _, seen := s.firstCapture[obj]; !seen {
				s.firstCapture[obj] = x.Pos()
			}
		})
		if s.escapes(x, stack) {
			s.forResults(x.Body, func(obj types.Object) { s.captures = append(s.captures, capture{obj, x}) })
		}
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			if obj := s.result(x.X); obj != nil {
				s.addrTaken[obj] = true
				if s.addrWhy == "" && s.escapes(x, stack) {
					s.addrWhy = fmt.Sprintf("the address of result %s leaves the function at line %d", obj.Name(), s.d.fset.Position(x.Pos()).Line)
				}
			}
		}
	case *ast.SelectorExpr:
		// r.M() with a pointer method takes r's address.
		if obj := s.result(x.X); obj != nil {
			if sel, ok := s.d.info.Selections[x]; ok && sel.Kind() == types.MethodVal {
				if sig, ok := sel.Obj().Type().(*types.Signature); ok && sig.Recv() != nil {
					if _, ptr := sig.Recv().Type().(*types.Pointer); ptr && !isPointer(s.d.info.Types[x.X].Type) {
						s.addrTaken[obj] = true
						if _, called := parent.(*ast.CallExpr); !called && s.addrWhy == "" {
							s.addrWhy = fmt.Sprintf("the method value %s.%s at line %d takes the address of result %s", obj.Name(), x.Sel.Name, s.d.fset.Position(x.Pos()).Line, obj.Name())
						}
					}
				}
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
		if lit := s.rangeBodyEscapes(x, stack); lit != nil {
			s.forResults(x.Body, func(obj types.Object) { s.captures = append(s.captures, capture{obj, lit}) })
		}
	case *ast.ReturnStmt:
		if len(x.Results) > 0 && !insideLit(stack) {
			for obj := range s.results {
				s.assigned[obj] = true
			}
		}
		if len(x.Results) == 0 && !insideLit(stack) {
			s.nakedReturns = append(s.nakedReturns, x.Pos())
		}
	}
}

// rangeBodyEscapes reports whether the body of the range-over-func loop
// on top of stack is a closure that escapes: measured with -m on go1.26,
// it does when the loop is in a function literal that cannot be inlined
// (it defers, say) inside another literal that is inlined, where the
// copy the inliner makes of the inner literal loses the body's
// non-escaping mark ("moved to heap" for what the body captures by
// reference). A loop directly in fn, or in one literal, keeps it.
func (s *resultScan) rangeBodyEscapes(r *ast.RangeStmt, stack []ast.Node) *ast.FuncLit {
	if tv, ok := s.d.info.Types[r.X]; !ok || tv.Type == nil {
		return nil
	} else if _, isSig := tv.Type.Underlying().(*types.Signature); !isSig {
		return nil
	}
	var lits []int // indexes in stack of the enclosing literals, innermost first
	for i := len(stack) - 2; i >= 0; i-- {
		if _, ok := stack[i].(*ast.FuncLit); ok {
			lits = append(lits, i)
		}
	}
	if len(lits) < 2 || lits[1] == 0 {
		return nil
	}
	inner, outer := stack[lits[0]].(*ast.FuncLit), stack[lits[1]].(*ast.FuncLit)
	if _, ok := s.d.closureCost(inner); ok {
		return nil
	}
	c, ok := s.d.closureCost(outer)
	if call, isCall := stack[lits[1]-1].(*ast.CallExpr); !ok || c > 10*inlineMaxBudget || !isCall || ast.Unparen(call.Fun) != outer {
		return nil
	}
	return inner
}

// forResults calls f for each use of a result in n.
func (s *resultScan) forResults(n ast.Node, f func(types.Object)) {
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj := s.d.info.Uses[id]; obj != nil && s.results[obj] {
				f(obj)
			}
		}
		return true
	})
}

func insideLit(stack []ast.Node) bool {
	for _, n := range stack[:len(stack)-1] {
		if _, ok := n.(*ast.FuncLit); ok {
			return true
		}
	}
	return false
}

// escapes reports whether the value of the expression on top of stack
// (a closure or an address) may outlive the call, judging by where it
// is used.
func (s *resultScan) escapes(e ast.Expr, stack []ast.Node) bool {
	for i := len(stack) - 2; i >= 0; i-- {
		switch p := stack[i].(type) {
		case *ast.ParenExpr:
			e = p
			continue
		case *ast.GoStmt, *ast.ReturnStmt, *ast.SendStmt, *ast.CompositeLit, *ast.KeyValueExpr:
			return true
		case *ast.CallExpr:
			if p.Fun == e {
				if i > 0 {
					switch st := stack[i-1].(type) {
					case *ast.GoStmt:
						return true // started as a goroutine
					case *ast.DeferStmt:
						// A heap-allocated defer record holds the
						// closure: it escapes (escape/call.go
						// goDeferStmt: k = e.heapHole() unless the
						// defer is at loop depth 1).
						return s.d.heapDefers[st]
					}
				}
				return false // called on the spot, or a stack defer
			}
			if i > 0 {
				// The arguments of a go or heap-allocated defer call
				// are kept in the heap-allocated wrapper closure.
				switch st := stack[i-1].(type) {
				case *ast.GoStmt:
					return true
				case *ast.DeferStmt:
					if s.d.heapDefers[st] {
						return true
					}
				}
			}
			return s.interfaceArg(p, e)
		case *ast.AssignStmt:
			for j, r := range p.Rhs {
				if r == e && j < len(p.Lhs) {
					if !s.isLocal(p.Lhs[j]) {
						return true
					}
				}
			}
			return false
		case *ast.ValueSpec:
			return false
		default:
			return false
		}
	}
	return false
}

// interfaceArg reports whether e is passed to call as an argument of
// interface type (including the ... of a variadic ...any).
func (s *resultScan) interfaceArg(call *ast.CallExpr, e ast.Expr) bool {
	tv, ok := s.d.info.Types[call.Fun]
	if !ok || tv.Type == nil {
		return false
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok {
		return false
	}
	for i, a := range call.Args {
		if a != e {
			continue
		}
		var pt types.Type
		switch {
		case sig.Variadic() && i >= sig.Params().Len()-1:
			last := sig.Params().At(sig.Params().Len() - 1).Type()
			if sl, ok := last.(*types.Slice); ok && !call.Ellipsis.IsValid() {
				pt = sl.Elem()
			} else {
				pt = last
			}
		case i < sig.Params().Len():
			pt = sig.Params().At(i).Type()
		default:
			return false
		}
		return types.IsInterface(pt)
	}
	return false
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

// isLocal reports whether e names a local variable (not a package-level
// one, a field, an element or a dereference).
func (s *resultScan) isLocal(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	obj := s.d.info.Defs[id]
	if obj == nil {
		obj = s.d.info.Uses[id]
	}
	v, ok := obj.(*types.Var)
	if !ok {
		return id.Name == "_"
	}
	return v.Pkg() == nil || v.Parent() != v.Pkg().Scope()
}
