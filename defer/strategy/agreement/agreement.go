// Package agreement measures how well package strategy predicts the Go
// compiler: it builds packages with go build -a -gcflags=-d=defer
// (package defer/strategy/compiler), which makes the compiler print the
// strategy of every defer it compiles,
// loads the same packages with golang.org/x/tools/go/packages, runs
// [strategy.Decide], and compares the two answers position by position
// (file:line:col, after //line directives, so cgo files match too).
//
// It backs "deferlab strategies" and the whole-standard-library test of
// package strategy.
package agreement

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/tools/go/packages"

	"github.com/deferio/deferio/defer/strategy"
)

// Options say what to compare.
type Options struct {
	// Dir is the module directory the go command runs in; "" is the
	// current directory.
	Dir string
	// Patterns are go package patterns ("./...", "std", "fmt").
	Patterns []string
	// Config is the build mode, both for the compiler (-race, -N,
	// -d=noopendefer, -shared, GOARCH) and for the prediction.
	Config strategy.Config
	// Env is the go command's environment; nil means os.Environ().
	Env []string
	// NoRebuild leaves out go build's -a: only the matched packages
	// are compiled, each salted so that it does not come from the build
	// cache (see package defer/strategy/compiler), and their
	// dependencies come from the cache, which saves rebuilding the
	// standard library.
	NoRebuild bool
}

// A Mismatch is a defer where the prediction and the compiler differ.
type Mismatch struct {
	Site      Site
	Compiler  string // the compiler's word, or "no line" if it printed none
	Predicted string
	Func      string
	Reasons   []string // the prediction's reasons
}

// A Summary is the outcome of one comparison.
type Summary struct {
	// Defers counts positions both sides know about: every compiler
	// line in the loaded packages' files, plus every defer the model
	// predicts as dead code.
	Defers int
	// Agree counts those where the answers are the same.
	Agree int
	// Matrix[compiler][predicted] counts defers; index with
	// strategy.Kind (DeadCode, on the compiler side, means "no line").
	Matrix [4][4]int
	// Mismatches lists every disagreement, sorted by position.
	Mismatches []Mismatch
	// NotCompiled lists defers the model gives a strategy but the
	// compiler printed nothing for: generic functions never
	// instantiated. They are not counted in Defers.
	NotCompiled []Mismatch
	// Conflicts lists positions the compiler printed with two
	// strategies (two instantiations of a generic function that
	// differ). They count as mismatches.
	Conflicts []Site
	// Outside lists compiler lines in files the prediction did not
	// cover: generic code of other packages, instantiated in these.
	// They are not counted in Defers.
	Outside []Site
	// Elapsed is the time spent by the compiler run and by the
	// prediction (loading and type-checking included).
	CompileTime, PredictTime time.Duration
}

// Ratio returns Agree/Defers, or 1 when there is nothing to compare.
func (s *Summary) Ratio() float64 {
	if s.Defers == 0 {
		return 1
	}
	return float64(s.Agree) / float64(s.Defers)
}

// Run compares the compiler and the prediction on opts.Patterns in
// opts.Dir, writes the report to w (confusion matrix, every mismatch with
// its position and both answers, and a last line "agreement: M/N
// defers"), and returns the summary. A package that does not build or
// does not load is an error that carries the go command's message.
func Run(ctx context.Context, w io.Writer, opts Options) (*Summary, error) {
	if len(opts.Patterns) == 0 {
		return nil, errors.New("unable to compare defer strategies: no package patterns given")
	}
	for _, p := range opts.Patterns {
		if strings.HasPrefix(p, "-") {
			return nil, fmt.Errorf("unable to compare defer strategies: %q is not a package pattern", p)
		}
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, fmt.Errorf("unable to compare defer strategies: %w", err)
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("unable to resolve directory %q: %w", opts.Dir, err)
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("unable to use directory %q: %w", opts.Dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("unable to use directory %q: not a directory", opts.Dir)
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	sum := &Summary{}

	start := time.Now()
	out, err := compile(ctx, dir, env, opts.Patterns, opts.Config, !opts.NoRebuild)
	if err != nil {
		return nil, err
	}
	sum.CompileTime = time.Since(start)

	start = time.Now()
	pred, err := Predict(ctx, dir, env, opts.Patterns, opts.Config)
	if err != nil {
		return nil, err
	}
	sum.PredictTime = time.Since(start)

	compare(sum, out.Report, out.Conflicts, pred)
	if w != nil {
		if err := sum.Write(w); err != nil {
			return sum, fmt.Errorf("unable to write the report: %w", err)
		}
	}
	return sum, nil
}

// A Prediction is a decision placed at the compiler's position.
type Prediction struct {
	Site     Site
	Decision strategy.Decision
	Generic  bool // in a generic function or a method of a generic type
}

// loadMode type-checks the dependencies from source too: export data
// would need a compilation of its own.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo |
	packages.NeedImports | packages.NeedDeps

// Predicted is what the model says about a set of packages.
type Predicted struct {
	// Defers has a decision for every defer statement.
	Defers []Prediction
	// Files are the source files analysed, named as the compiler names
	// them (after //line directives), whether they defer or not.
	Files []string
}

// Predict loads the packages matched by patterns in dir and returns the
// decision for every defer statement in their files.
func Predict(ctx context.Context, dir string, env []string, patterns []string, cfg strategy.Config) (*Predicted, error) {
	lcfg := &packages.Config{
		Context:    ctx,
		Mode:       loadMode,
		Dir:        dir,
		Env:        env,
		BuildFlags: buildFlags(cfg),
	}
	if cfg.GOARCH != "" {
		lcfg.Env = append(slices.Clone(env), "GOARCH="+cfg.GOARCH)
	}
	pkgs, err := packages.Load(lcfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("unable to load %s: %w", strings.Join(patterns, " "), err)
	}
	var errs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
	})
	if len(errs) > 0 {
		if len(errs) > 10 {
			errs = append(errs[:10], fmt.Sprintf("... and %d more", len(errs)-10))
		}
		return nil, fmt.Errorf("unable to load %s:\n%s", strings.Join(patterns, " "), strings.Join(errs, "\n"))
	}
	pred := &Predicted{}
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			pred.Files = append(pred.Files, filepath.Clean(p.Fset.Position(f.Package).Filename))
		}
		ds, err := strategy.Decide(p.Fset, p.Syntax, p.TypesInfo, cfg)
		if err != nil {
			return nil, fmt.Errorf("unable to decide for %s: %w", p.PkgPath, err)
		}
		generic := genericDefers(p.Syntax)
		for _, d := range ds {
			pred.Defers = append(pred.Defers, Prediction{
				Site:     Site{File: filepath.Clean(d.Pos.Filename), Line: d.Pos.Line, Col: d.Pos.Column},
				Decision: d,
				Generic:  generic[d.Defer],
			})
		}
	}
	return pred, nil
}

// genericDefers finds the defers inside generic functions and methods of
// generic types, which the compiler only compiles when instantiated.
func genericDefers(files []*ast.File) map[*ast.DeferStmt]bool {
	m := map[*ast.DeferStmt]bool{}
	for _, f := range files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			generic := fd.Type.TypeParams != nil && len(fd.Type.TypeParams.List) > 0
			if fd.Recv != nil && len(fd.Recv.List) > 0 {
				t := fd.Recv.List[0].Type
				if s, ok := t.(*ast.StarExpr); ok {
					t = s.X
				}
				switch t.(type) {
				case *ast.IndexExpr, *ast.IndexListExpr:
					generic = true
				}
			}
			if !generic {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if d, ok := n.(*ast.DeferStmt); ok {
					m[d] = true
				}
				return true
			})
		}
	}
	return m
}
