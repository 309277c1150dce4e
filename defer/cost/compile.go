package cost

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/deferio/deferio/defer/internal/funcname"
	"github.com/deferio/deferio/defer/strategy/compiler"
)

// A Decision is one line of the compiler's -d=defer report: where a defer
// statement is, the function declaration that holds it, and the strategy
// the compiler picked for it.
type Decision struct {
	File     string // base name of the file
	Line     int
	Col      int
	Func     string // enclosing function declaration, "T.M" for a method, "" if none
	Strategy Strategy
}

// String formats d like the compiler does, with the function added:
// "kernels.go:42:2: open-coded defer (in OpenCoded)".
func (d Decision) String() string {
	return fmt.Sprintf("%s:%d:%d: %s defer (in %s)", d.File, d.Line, d.Col, d.Strategy, d.Func)
}

// CompileOptions change how [Decisions] compiles.
type CompileOptions struct {
	// Race compiles with -race, as go build -race does (race
	// instrumentation turns open coding off).
	Race bool
	// Flags are more flags for the compiler, such as "-N".
	Flags []string
}

// Decisions compiles the Go package in dir with the real compiler and its
// -d=defer debug flag, and returns one Decision per defer statement, in
// source order (file, line, column).
//
// It builds through package defer/strategy/compiler, which salts the
// package so that every answer is a fresh compile, whatever the build
// cache holds (go build only replays, best effort, the -d=defer report of
// a package it finds there). Nothing is written outside a temporary
// directory and the build cache.
func Decisions(ctx context.Context, dir string, opts CompileOptions) ([]Decision, error) {
	out, err := compiler.Build(ctx, compiler.Options{
		Dir:      dir,
		Env:      append(os.Environ(), "GOWORK=off"),
		Patterns: []string{"."},
		GCFlags:  opts.Flags,
		Race:     opts.Race,
		Output:   os.DevNull,
	})
	var be *compiler.BuildError
	if errors.As(err, &be) {
		return nil, fmt.Errorf("unable to compile %s with -d=defer: %w\n%s", dir, be.Err, be.Output)
	} else if err != nil {
		return nil, err
	}
	decisions := fromReport(out.Report)
	if err := attachFuncs(out.Report, decisions); err != nil {
		return nil, err
	}
	return decisions, nil
}

// parseDecisions reads the compiler's -d=defer lines; other lines (a
// "# pkg" header) are skipped.
func parseDecisions(r io.Reader) ([]Decision, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("unable to read the compiler's output: %w", err)
	}
	o, err := compiler.Parse(b, "")
	if err != nil {
		return nil, err
	}
	return fromReport(o.Report), nil
}

// fromReport returns a Decision for each position of r, by base name,
// line and column.
func fromReport(r compiler.Report) []Decision {
	var ds []Decision
	for pos, k := range r {
		ds = append(ds, Decision{File: filepath.Base(pos.File), Line: pos.Line, Col: pos.Col, Strategy: Strategy(k.String())})
	}
	slices.SortFunc(ds, func(a, b Decision) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return ds
}

// attachFuncs fills in the function declaration holding each decision.
func attachFuncs(r compiler.Report, ds []Decision) error {
	paths := map[string]string{}
	for pos := range r {
		paths[filepath.Base(pos.File)] = pos.File
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for i := range ds {
		d := &ds[i]
		f, ok := files[d.File]
		if !ok {
			var err error
			f, err = parser.ParseFile(fset, paths[d.File], nil, parser.SkipObjectResolution)
			if err != nil {
				return fmt.Errorf("unable to parse %s: %w", d.File, err)
			}
			files[d.File] = f
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			start, end := fset.Position(fd.Pos()), fset.Position(fd.End())
			if before(start, d.Line, d.Col) && !before(end, d.Line, d.Col) {
				d.Func = funcname.Of(fd)
				break
			}
		}
	}
	return nil
}

// before reports whether p is at or before line:col.
func before(p token.Position, line, col int) bool {
	return p.Line < line || p.Line == line && p.Column <= col
}
