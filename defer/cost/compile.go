package cost

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/internal/deferlines"
	"github.com/deferio/deferio/internal/funcname"
	"github.com/deferio/deferio/internal/gorun"
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
// -d=defer debug flag, and returns one Decision per defer statement, in the
// compiler's order.
//
// It runs the compiler itself (go tool compile) against export data that
// go list -export provides, so every answer is a fresh compile, whatever
// the build cache holds (go build replays a cached package's -d=defer
// report rather than compiling it again). The package must be pure Go
// (no cgo, no assembly). Nothing is written outside a temporary directory.
func Decisions(ctx context.Context, dir string, opts CompileOptions) ([]Decision, error) {
	gotool, err := gorun.GoTool()
	if err != nil {
		return nil, err
	}
	pkg, importcfg, err := listPackage(ctx, gotool, dir, opts.Race)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "deferio-compile-")
	if err != nil {
		return nil, fmt.Errorf("unable to create a directory for the compiler's output: %w", err)
	}
	defer os.RemoveAll(tmp)
	cfg := filepath.Join(tmp, "importcfg")
	if err := os.WriteFile(cfg, []byte(importcfg), 0o644); err != nil {
		return nil, fmt.Errorf("unable to write the importcfg: %w", err)
	}
	args := []string{"tool", "compile", "-p", pkg.ImportPath, "-importcfg", cfg,
		"-o", filepath.Join(tmp, "pkg.a"), "-d=defer"}
	if len(pkg.EmbedPatterns) > 0 {
		embedcfg, err := embedConfig(pkg)
		if err != nil {
			return nil, err
		}
		path := filepath.Join(tmp, "embedcfg")
		if err := os.WriteFile(path, embedcfg, 0o644); err != nil {
			return nil, fmt.Errorf("unable to write the embedcfg: %w", err)
		}
		args = append(args, "-embedcfg", path)
	}
	if opts.Race {
		args = append(args, "-race")
	}
	args = append(args, opts.Flags...)
	args = append(args, pkg.GoFiles...)
	cmd := exec.CommandContext(ctx, gotool, args...)
	cmd.Dir = pkg.Dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("unable to compile %s with -d=defer: %w\n%s", pkg.ImportPath, err, out)
	}
	decisions, err := parseDecisions(bytes.NewReader(out))
	if err != nil {
		return nil, err
	}
	if err := attachFuncs(pkg.Dir, decisions); err != nil {
		return nil, err
	}
	return decisions, nil
}

type listedPackage struct {
	ImportPath string
	Dir        string
	Export     string
	DepOnly    bool
	GoFiles    []string
	CgoFiles   []string
	SFiles     []string
	// EmbedPatterns are the //go:embed patterns, EmbedFiles the files
	// they match, relative to Dir.
	EmbedPatterns []string
	EmbedFiles    []string
	Error         *struct{ Err string }
}

// listPackage asks go list for the package in dir and the export data of
// everything it imports, and returns the package and an importcfg.
func listPackage(ctx context.Context, gotool, dir string, race bool) (listedPackage, string, error) {
	args := []string{"list", "-deps", "-export", "-json=ImportPath,Dir,Export,DepOnly,GoFiles,CgoFiles,SFiles,EmbedPatterns,EmbedFiles,Error"}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, gotool, append(args, ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return listedPackage{}, "", fmt.Errorf("unable to list the package in %s: %w\n%s", dir, err, stderr.Bytes())
	}
	var cfg strings.Builder
	var target *listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return listedPackage{}, "", fmt.Errorf("unable to read go list's output: %w", err)
		}
		if p.Error != nil {
			return listedPackage{}, "", fmt.Errorf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		if p.DepOnly {
			if p.Export != "" {
				fmt.Fprintf(&cfg, "packagefile %s=%s\n", p.ImportPath, p.Export)
			}
			continue
		}
		target = &p
	}
	switch {
	case target == nil:
		return listedPackage{}, "", fmt.Errorf("no Go package in %s", dir)
	case len(target.CgoFiles) > 0 || len(target.SFiles) > 0:
		return listedPackage{}, "", fmt.Errorf("package %s uses cgo or assembly, which Decisions cannot compile on its own", target.ImportPath)
	case len(target.GoFiles) == 0:
		return listedPackage{}, "", fmt.Errorf("package %s has no Go files to compile", target.ImportPath)
	}
	return *target, cfg.String(), nil
}

// embedConfig returns the -embedcfg file the go command would write: for
// each //go:embed pattern the files it matches, and where each file is.
func embedConfig(pkg listedPackage) ([]byte, error) {
	cfg := struct {
		Patterns map[string][]string
		Files    map[string]string
	}{map[string][]string{}, map[string]string{}}
	for _, f := range pkg.EmbedFiles {
		cfg.Files[f] = filepath.Join(pkg.Dir, f)
	}
	for _, pat := range pkg.EmbedPatterns {
		glob := strings.TrimPrefix(strings.TrimPrefix(pat, "all:"), "./")
		for _, f := range pkg.EmbedFiles {
			if ok, _ := path.Match(glob, f); ok || strings.HasPrefix(f, glob+"/") {
				cfg.Patterns[pat] = append(cfg.Patterns[pat], f)
			}
		}
		if len(cfg.Patterns[pat]) == 0 {
			return nil, fmt.Errorf("unable to tell which files //go:embed %s matches in %s", pat, pkg.ImportPath)
		}
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("unable to encode the embedcfg: %w", err)
	}
	return b, nil
}

// parseDecisions reads the compiler's -d=defer lines; other lines (a
// "# pkg" header) are skipped.
func parseDecisions(r io.Reader) ([]Decision, error) {
	var ds []Decision
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l, ok, err := deferlines.ParseLine(sc.Text())
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		ds = append(ds, Decision{File: filepath.Base(l.File), Line: l.Line, Col: l.Col, Strategy: Strategy(l.Kind)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("unable to read the compiler's output: %w", err)
	}
	return ds, nil
}

// attachFuncs fills in the function declaration holding each decision.
func attachFuncs(dir string, ds []Decision) error {
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for i := range ds {
		d := &ds[i]
		f, ok := files[d.File]
		if !ok {
			var err error
			f, err = parser.ParseFile(fset, filepath.Join(dir, d.File), nil, parser.SkipObjectResolution)
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
