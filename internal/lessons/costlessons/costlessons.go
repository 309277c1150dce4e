// Package costlessons holds the lessons on what defer costs: which
// strategy the compiler really gives each measured kernel of package
// defer/cost (checked with -d=defer), how -race turns open coding off,
// and a short live benchmark of every kernel with its ratio to a direct
// call. The lessons compile the kernels' own source (cost.Source) with the
// real compiler, and run the kernels themselves with testing.Benchmark.
package costlessons

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/deferio/deferio/defer/cost"
	"github.com/deferio/deferio/internal/lesson"
)

// Lessons returns the cost lessons in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{
		{ID: "defer-cost-kernels", Topic: "defer", Title: "The measured kernels, and the strategy each really gets", Run: kernels},
		{ID: "defer-cost-race", Topic: "defer", Title: "-race turns open coding off", Run: race},
		{ID: "defer-cost-live", Topic: "defer", Title: "What defer costs, measured live", Run: live},
	}
}

// kernelModule writes the kernels' source into a new module of its own
// and returns its directory; remove it when done.
func kernelModule() (string, error) {
	dir, err := os.MkdirTemp("", "deferio-kernels-")
	if err != nil {
		return "", fmt.Errorf("unable to create a directory for the kernels: %w", err)
	}
	files := map[string]string{
		"go.mod":     "module deferio.example/cost\n\ngo 1.26\n",
		"kernels.go": cost.Source(),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("unable to write %s: %w", name, err)
		}
	}
	return dir, nil
}

// compileKernels compiles the kernels on their own with -d=defer.
func compileKernels(ctx context.Context, race bool) ([]cost.Decision, error) {
	dir, err := kernelModule()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	return cost.Decisions(ctx, dir, cost.CompileOptions{Race: race})
}

// funcSource returns the source of the named function declaration of
// kernels.go, with its doc comment.
func funcSource(name string) (string, error) {
	fset := token.NewFileSet()
	src := cost.Source()
	f, err := parser.ParseFile(fset, "kernels.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return "", fmt.Errorf("unable to parse the kernels: %w", err)
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != name {
			continue
		}
		start := fd.Pos()
		if fd.Doc != nil {
			start = fd.Doc.Pos()
		}
		return src[fset.Position(start).Offset:fset.Position(fd.End()).Offset], nil
	}
	return "", fmt.Errorf("no function %s in the kernels", name)
}

// strategiesByFunc groups the compiler's strategies by function.
func strategiesByFunc(ds []cost.Decision) map[string][]cost.Decision {
	m := map[string][]cost.Decision{}
	for _, d := range ds {
		m[d.Func] = append(m[d.Func], d)
	}
	return m
}

// got summarizes what the compiler did for k's functions: "open-coded",
// "9 x stack-allocated", or "no defer".
func got(k cost.Kernel, by map[string][]cost.Decision) string {
	var parts []string
	for _, fn := range k.Funcs {
		ds := by[fn]
		if len(ds) == 0 {
			parts = append(parts, "no defer")
			continue
		}
		counts := map[cost.Strategy]int{}
		var order []cost.Strategy
		for _, d := range ds {
			if counts[d.Strategy] == 0 {
				order = append(order, d.Strategy)
			}
			counts[d.Strategy]++
		}
		for _, s := range order {
			if counts[s] == 1 {
				parts = append(parts, string(s))
			} else {
				parts = append(parts, fmt.Sprintf("%d x %s", counts[s], s))
			}
		}
	}
	return strings.Join(parts, ", ")
}

// lines returns "kernels.go:42" or "kernels.go:51-58" for k's defers.
func lines(k cost.Kernel, by map[string][]cost.Decision) string {
	var all []cost.Decision
	for _, fn := range k.Funcs {
		all = append(all, by[fn]...)
	}
	switch len(all) {
	case 0:
		return "-"
	case 1:
		return fmt.Sprintf("%s:%d", all[0].File, all[0].Line)
	}
	return fmt.Sprintf("%s:%d-%d", all[0].File, all[0].Line, all[len(all)-1].Line)
}

func kernels(ctx context.Context, p *lesson.Page) error {
	for _, name := range []string{"Direct", "OpenCoded", "Stack9", "HeapLoop"} {
		src, err := funcSource(name)
		if err != nil {
			return err
		}
		p.Code("defer/cost/kernels.go: "+name, src)
	}
	ds, err := compileKernels(ctx, false)
	if err != nil {
		return err
	}
	p.Heading("go tool compile -d=defer kernels.go, grouped by kernel")
	by := strategiesByFunc(ds)
	tw := tabwriter.NewWriter(p.Writer(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  kernel\tfunction\tdefers at\tclaims\tcompiler says")
	for _, k := range cost.Kernels() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", k.Name, strings.Join(k.Funcs, ","), lines(k, by), k.Strategy, got(k, by))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("unable to write the table: %w", err)
	}
	fmt.Fprintln(p.Writer())
	if err := cost.Verify(ds); err != nil {
		p.Note("MISMATCH: some kernel does not get the strategy it claims, so its benchmark would measure something else:\n" + err.Error())
	} else {
		p.Note(fmt.Sprintf("all %d defer statements get the strategy their kernel claims (cost.Verify).", len(ds)))
	}
	return nil
}

func race(ctx context.Context, p *lesson.Page) error {
	src, err := funcSource("OpenCoded")
	if err != nil {
		return err
	}
	p.Code("defer/cost/kernels.go: OpenCoded", src)
	plain, err := compileKernels(ctx, false)
	if err != nil {
		return err
	}
	raced, err := compileKernels(ctx, true)
	if err != nil {
		return err
	}
	p.Heading("go tool compile -d=defer, without and with -race")
	bp, br := strategiesByFunc(plain), strategiesByFunc(raced)
	tw := tabwriter.NewWriter(p.Writer(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  kernel\twithout -race\twith -race")
	changed := 0
	for _, k := range cost.Kernels() {
		if k.Strategy == cost.NoDefer {
			continue
		}
		a, b := got(k, bp), got(k, br)
		if a != b {
			changed++
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", k.Name, a, b)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("unable to write the table: %w", err)
	}
	fmt.Fprintln(p.Writer())
	open := 0
	for _, d := range raced {
		if d.Strategy == cost.OpenCodedDefer {
			open++
		}
	}
	p.Textf("With -race: %d of %d defer statements open-coded; %d kernels changed strategy.", open, len(raced), changed)
	return nil
}
