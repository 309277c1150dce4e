package strategy_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/deferio/deferio/defer/difftest"
	"github.com/deferio/deferio/defer/strategy"
)

// inlineLine is what go build -gcflags=-m=2 prints about a function's
// inlining cost.
var inlineLine = regexp.MustCompile(`(?m)^(?:\./)?(p\d+)/main\.go:(\d+):(\d+): (?:can inline \S+ with cost (\d+)|cannot inline \S+: function too complex: cost (\d+) exceeds budget \d+)`)

// TestInlineCosts compares the model's inlining costs with the
// compiler's (-gcflags=-m=2) on generated programs: every estimate must
// fall on the same side of the budgets that decide inlining (80 for a
// function, 160 for a closure, 800 for a closure called once), and most
// must be exact.
func TestInlineCosts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 20 programs")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/costs\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	model := map[string]strategy.InlineCost{}
	for seed := 9000; seed < 9020; seed++ {
		name := fmt.Sprintf("p%d", seed)
		src := difftest.Generate(uint64(seed), difftest.GenConfig{})
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "main.go"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name+"/main.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
		if _, err := (&types.Config{Importer: imp}).Check("main", fset, []*ast.File{f}, info); err != nil {
			t.Fatal(err)
		}
		for pos, c := range strategy.InlineCosts(fset, []*ast.File{f}, info) {
			model[fmt.Sprintf("%s:%d:%d", pos.Filename, pos.Line, pos.Column)] = c
		}
	}
	cmd := exec.CommandContext(context.Background(), "go", "build", "-o", os.DevNull, "-gcflags=-m=2", "./...")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	n, exact := 0, 0
	for _, m := range inlineLine.FindAllStringSubmatch(string(out), -1) {
		key := m[1] + "/main.go:" + m[2] + ":" + m[3]
		c, ok := model[key]
		if !ok {
			continue // wrappers the compiler makes (deferwrap), not in the source
		}
		real, _ := strconv.Atoi(m[4] + m[5])
		n++
		if c.Cost == real {
			exact++
		}
		for _, budget := range []int{80, 160, 800} {
			if (c.Cost <= budget) != (real <= budget) {
				t.Errorf("%s: model cost %d, compiler %d: not on the same side of %d", key, c.Cost, real, budget)
			}
		}
	}
	t.Logf("%d of %d costs exact", exact, n)
	if n < 100 || exact*10 < n*8 {
		t.Errorf("only %d of %d costs exact", exact, n)
	}
}
