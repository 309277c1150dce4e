package strategy_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/agreement"
)

// inlinedGoto is the model's known blind spot: escape analysis runs after
// inlining, and walks an inlined body's statements without restoring the
// loop depth (escape/call.go, OINLCALL: e.stmts), so a backward goto in
// an inlined callee makes the caller's later defers heap-allocated. The
// model inlines closures called on the spot and the package's own small
// functions (package inlining in testdata), but it sees one package's
// source: it cannot know that q.Spin, from another package, is inlined.
const inlinedGoto = `package p

import "example.com/p/q"

func caller() {
	q.Spin()
	defer println()
}
`

const spin = `package q

var n int

func Spin() {
again:
	n--
	if n > 0 {
		goto again
	}
}
`

// TestKnownDivergence pins the case above: if the compiler stops doing
// this, the test says so and the notes must change.
func TestKnownDivergence(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"go.mod": "module example.com/p\n\ngo 1.26\n", "p.go": inlinedGoto, "q/q.go": spin} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := agreement.Run(context.Background(), nil, agreement.Options{Dir: dir, Patterns: []string{"./..."}, NoRebuild: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Mismatches) != 1 {
		t.Fatalf("want exactly the one known mismatch, got %+v", sum.Mismatches)
	}
	m := sum.Mismatches[0]
	if m.Site.Line != 7 || m.Compiler != "heap-allocated" || m.Predicted != "open-coded" {
		t.Errorf("the known divergence changed: %+v", m)
	}

	// Without inlining (-l) the compiler says open-coded...
	cmd := exec.Command("go", "build", "-o", os.DevNull, "-gcflags=-l -d=defer", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-l: %v\n%s", err, out)
	}
	sites, _, _ := agreement.ParseCompilerOutput(out, dir)
	if k, ok := sites[agreement.Site{File: filepath.Join(dir, "p.go"), Line: 7, Col: 2}]; !ok || k != strategy.OpenCoded {
		t.Errorf("with -l the compiler printed:\n%s", out)
	}

	// ...and so does the model, which knows nothing of q's body.
	fset := token.NewFileSet()
	qf, err := parser.ParseFile(fset, "q.go", spin, 0)
	if err != nil {
		t.Fatal(err)
	}
	qpkg, err := (&types.Config{}).Check("example.com/p/q", fset, []*ast.File{qf}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(fset, "p.go", inlinedGoto, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	imp := importerFunc(func(path string) (*types.Package, error) { return qpkg, nil })
	if _, err := (&types.Config{Importer: imp}).Check("example.com/p", fset, []*ast.File{f}, info); err != nil {
		t.Fatal(err)
	}
	ds, err := strategy.Decide(fset, []*ast.File{f}, info, strategy.Config{})
	if err != nil || len(ds) != 1 || ds[0].Kind != strategy.OpenCoded {
		t.Errorf("Decide: %v %+v", err, ds)
	}
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
