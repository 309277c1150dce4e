// Package prooflessons holds the lesson that shows how deferio knows its
// defer model is right: random programs run by the real toolchain and by
// the model, compared line by line and defer by defer.
package prooflessons

import (
	"context"
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/deferio/deferio/defer/difftest"
	"github.com/deferio/deferio/internal/lesson"
)

// Lessons returns the lessons of this package in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{{
		ID:    "defer-proof",
		Topic: "defer",
		Title: "How we know the model is right: random programs, two runs, one verdict",
		Run:   proof,
	}}
}

// ShownSeed is the seed of the generated program the lesson shows.
const ShownSeed = 35

// BatchPrograms is how many generated programs the lesson compares live.
const BatchPrograms = 24

var small = difftest.GenConfig{Funcs: 2, MaxStmts: 3, MaxDepth: 2}

//go:embed testdata/inlined.go
var inlined []byte

func proof(ctx context.Context, p *lesson.Page) error {
	prog := difftest.Program{Name: fmt.Sprintf("seed-%d", ShownSeed), Src: difftest.Generate(ShownSeed, small)}
	p.Text("One program from the generator (a small one: most have five functions and a few hundred lines):")
	p.Code(prog.Name+".go", string(prog.Src))
	if err := compareOne(ctx, p, prog); err != nil {
		return err
	}

	p.Heading(fmt.Sprintf("%d more programs, one go build, one verdict", BatchPrograms))
	var progs []difftest.Program
	for i := range BatchPrograms {
		seed := uint64(1000 + i)
		progs = append(progs, difftest.Program{Name: fmt.Sprintf("seed-%d", seed), Src: difftest.Generate(seed, difftest.GenConfig{})})
	}
	rep, err := difftest.Compare(ctx, progs, difftest.Config{})
	if err != nil {
		return fmt.Errorf("unable to compare the batch: %w", err)
	}
	p.Textf("%d defer statements compared; the compiler chose %s.", rep.Defers, counts(rep.Strategies))
	for _, d := range rep.Divergences {
		p.Textf("%s diverges: %s", d.Program.Name, strings.Join(d.Diffs, "; "))
	}
	p.Output("go test ./defer/difftest -programs 24", rep.Summary())

	p.Heading("Where a prediction needs the inliner")
	p.Code("inlined.go", string(inlined))
	return compareOne(ctx, p, difftest.Program{Name: "inlined", Src: inlined})
}

// compareOne runs prog both ways and shows the outcomes and the verdict.
func compareOne(ctx context.Context, p *lesson.Page, prog difftest.Program) error {
	reals, err := difftest.RunReal(ctx, []difftest.Program{prog}, 1)
	if err != nil {
		return fmt.Errorf("unable to run %s with the toolchain: %w", prog.Name, err)
	}
	real := reals[0]
	model, err := difftest.ModelRun(prog)
	if err != nil {
		return fmt.Errorf("unable to run %s on the model: %w", prog.Name, err)
	}
	p.Output("real program: stdout", real.Stdout)
	p.Output("model: stdout", model.Stdout)
	if real.Panic != "" || model.Panic != "" {
		p.Output("real program: panic", real.Panic)
		p.Output("model: panic", model.Panic)
	}
	p.Textf("exit status: real %d, model %d", real.Exit, model.Exit)
	var positions []string
	for pos := range real.Strategies {
		positions = append(positions, pos)
	}
	sort.Slice(positions, func(i, j int) bool { return lineCol(positions[i]) < lineCol(positions[j]) })
	for _, pos := range positions {
		fmt.Fprintf(p.Writer(), "  defer at %-6s compiler: %-16s model: %s\n", pos, real.Strategies[pos], model.Strategies[pos])
	}
	fmt.Fprintln(p.Writer())
	if diffs := difftest.Diff(real, model); len(diffs) > 0 {
		p.Textf("verdict: DIVERGES\n  %s", strings.Join(diffs, "\n  "))
	} else {
		p.Text("verdict: the same output, exit status and strategies")
	}
	return nil
}

// lineCol orders "line:col" positions.
func lineCol(pos string) int {
	var line, col int
	fmt.Sscanf(pos, "%d:%d", &line, &col)
	return line*10000 + col
}

func counts(m map[string]int) string {
	var parts []string
	for _, k := range []string{"open-coded", "stack-allocated", "heap-allocated"} {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}
