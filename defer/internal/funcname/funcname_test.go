package funcname

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

func TestOf(t *testing.T) {
	src := `package p
func F() {}
func (T) A() {}
func (t *T) B() {}
func (t (*T)) C() {}
func (g G[P]) D() {}
func (g *H[P, Q]) E() {}
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"F", "T.A", "T.B", "T.C", "G.D", "H.E"}
	for i, d := range f.Decls {
		if got := Of(d.(*ast.FuncDecl)); got != want[i] {
			t.Errorf("declaration %d: Of = %q, want %q", i, got, want[i])
		}
	}
}
