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
// model does not know which calls the inliner will inline.
const inlinedGoto = `package p

var n int

func spin() {
again:
	n--
	if n > 0 {
		goto again
	}
}

func caller() {
	spin()
	defer println()
}
`

// TestKnownDivergence pins the case above: if the compiler stops doing
// this, the test says so and the notes must change.
func TestKnownDivergence(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"go.mod": "module example.com/p\n\ngo 1.26\n", "p.go": inlinedGoto} {
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
	if m.Site.Line != 15 || m.Compiler != "heap-allocated" || m.Predicted != "open-coded" {
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
	if k, ok := sites[agreement.Site{File: filepath.Join(dir, "p.go"), Line: 15, Col: 2}]; !ok || k != strategy.OpenCoded {
		t.Errorf("with -l the compiler printed:\n%s", out)
	}

	// ...and so does the model.
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", inlinedGoto, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	if _, err := (&types.Config{}).Check("p", fset, []*ast.File{f}, info); err != nil {
		t.Fatal(err)
	}
	ds, err := strategy.Decide(fset, []*ast.File{f}, info, strategy.Config{})
	if err != nil || len(ds) != 1 || ds[0].Kind != strategy.OpenCoded {
		t.Errorf("Decide: %v %+v", err, ds)
	}
}
