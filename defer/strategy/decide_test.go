package strategy_test

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/strategy"
)

func TestDecideBadInput(t *testing.T) {
	full := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	for _, tc := range []struct {
		name string
		fset *token.FileSet
		info *types.Info
		cfg  strategy.Config
		want string
	}{
		{"nil fset", nil, full, strategy.Config{}, "nil token.FileSet"},
		{"nil info", token.NewFileSet(), nil, strategy.Config{}, "nil types.Info"},
		{"no maps", token.NewFileSet(), &types.Info{}, strategy.Config{}, "needs its Types, Defs and Uses maps"},
		{"bad arch", token.NewFileSet(), full, strategy.Config{GOARCH: "vax"}, `unknown GOARCH "vax"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := strategy.Decide(tc.fset, nil, tc.info, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestKindNames(t *testing.T) {
	for k, want := range map[strategy.Kind]string{
		strategy.OpenCoded:      "open-coded",
		strategy.StackAllocated: "stack-allocated",
		strategy.HeapAllocated:  "heap-allocated",
		strategy.DeadCode:       "dead code",
	} {
		if k.String() != want {
			t.Errorf("%d: %q, want %q", k, k.String(), want)
		}
		if got, err := strategy.ParseKind(want); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", want, got, err)
		}
	}
	if _, err := strategy.ParseKind("open coded"); err == nil {
		t.Error("ParseKind accepted a misspelling")
	}
	if strategy.Kind(9).String() != "Kind(9)" || strategy.Rule(99).String() != "Rule(99)" || strategy.InLoop.String() != "in-loop" {
		t.Error("unexpected names for unknown values")
	}
}
