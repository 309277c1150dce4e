package strategy_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"testing"

	"github.com/deferio/deferio/defer/strategy"
)

// FuzzDecide feeds Decide any source that parses, type-checked or not:
// it must not panic, and must give one decision per defer statement,
// with reasons exactly when the defer is not open-coded.
func FuzzDecide(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "src", "*", "*.go"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
		if err != nil {
			return
		}
		info := &types.Info{
			Types:      map[ast.Expr]types.TypeAndValue{},
			Defs:       map[*ast.Ident]types.Object{},
			Uses:       map[*ast.Ident]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{},
		}
		conf := types.Config{Error: func(error) {}, Importer: nil}
		conf.Check("x", fset, []*ast.File{file}, info) // errors are part of the input
		ds, err := strategy.Decide(fset, []*ast.File{file}, info, strategy.Config{})
		if err != nil {
			t.Fatalf("Decide: %v", err)
		}
		n := 0
		ast.Inspect(file, func(n2 ast.Node) bool {
			if _, ok := n2.(*ast.DeferStmt); ok {
				n++
			}
			return true
		})
		if len(ds) != n {
			t.Fatalf("%d decisions for %d defer statements", len(ds), n)
		}
		for _, d := range ds {
			if (d.Kind == strategy.OpenCoded || d.Kind == strategy.DeadCode) != (len(d.Reasons) == 0) {
				t.Fatalf("%s: %s with reasons %v", d.Pos, d.Kind, d.Reasons)
			}
		}
	})
}
