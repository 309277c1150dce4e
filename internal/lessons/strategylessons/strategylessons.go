// Package strategylessons holds the lesson "why is my defer not
// open-coded?": it compiles a program with the real compiler's
// -gcflags=-d=defer, runs the deferstrategy model (package
// defer/strategy) on the same source, prints both and the reasons the
// model gives, and checks that they agree.
package strategylessons

import (
	"context"
	_ "embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/agreement"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/lesson"
)

//go:embed testdata/why.go
var whySrc []byte

// Lessons returns the strategy lessons in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{
		{ID: "defer-why-not-open-coded", Topic: "defer", Title: "Why is my defer not open-coded?", Run: whyNotOpen},
	}
}

func whyNotOpen(ctx context.Context, p *lesson.Page) error {
	p.Text("Seven functions, each showing one reason a defer is not free. The compiler says which strategy it picked when asked with -gcflags=-d=defer:")
	p.Code("main.go", string(whySrc))

	m, err := gorun.NewModule(whySrc)
	if err != nil {
		return err
	}
	defer m.Close()
	out, err := m.Go(ctx, "build", "-o", "prog", "-gcflags=-d=defer", ".")
	if err != nil {
		return fmt.Errorf("unable to compile the program: %w", err)
	}
	p.Output("go build -gcflags=-d=defer", out)

	decisions, err := decide(whySrc)
	if err != nil {
		return err
	}
	p.Text("The deferstrategy model reads only the syntax and the types, and says why (defervet -notopen prints the same):")
	var b strings.Builder
	for _, d := range decisions {
		if d.Kind != strategy.OpenCoded {
			fmt.Fprintf(&b, "main.go:%d:%d: %s\n", d.Pos.Line, d.Pos.Column, strategy.Message(d))
		}
	}
	p.Output("defervet -notopen", b.String())

	sites, _, _ := agreement.ParseCompilerOutput([]byte(out), m.Dir)
	agree := 0
	for _, d := range decisions {
		if k, ok := sites[agreement.Site{File: m.Dir + "/main.go", Line: d.Pos.Line, Col: d.Pos.Column}]; ok && k == d.Kind {
			agree++
		}
	}
	p.Textf("Model and compiler agree on %d of %d defers (the compiler printed %d lines).", agree, len(decisions), len(sites))
	return nil
}

// decide type-checks src (a program that imports nothing) and returns
// the model's decisions.
func decide(src []byte) ([]strategy.Decision, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("unable to parse the program: %w", err)
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	if _, err := (&types.Config{}).Check("main", fset, []*ast.File{f}, info); err != nil {
		return nil, fmt.Errorf("unable to type-check the program: %w", err)
	}
	return strategy.Decide(fset, []*ast.File{f}, info, strategy.Config{})
}
