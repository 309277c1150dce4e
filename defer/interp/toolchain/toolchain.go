// Package toolchain compiles and runs programs with the real Go
// toolchain and collects what the compiler says about their defers
// (-gcflags=-d=defer, through package defer/strategy/compiler), to
// compare them with the model of package defer/interp.
//
// Many programs are built by one go build: each becomes a package of a
// temporary module, and [compiler.Build] salts each of them so that the
// build cache never hides the compiler's -d=defer lines, while the
// standard library stays cached.
package toolchain

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/deferio/deferio/defer/strategy/compiler"
	"github.com/deferio/deferio/internal/gorun"
)

// A Binary is what the toolchain made of one program.
type Binary struct {
	Name string
	// Bin is the compiled binary (inside the build directory).
	Bin string
	// File is the program's source file (inside the build directory).
	File string
	// Strategies are the compiler's -d=defer lines, by position in File.
	Strategies compiler.Report
}

// A Build is a set of programs compiled together. Close removes it.
type Build struct {
	Dir      string
	Binaries map[string]*Binary
}

// Close removes the build directory.
func (b *Build) Close() error { return os.RemoveAll(b.Dir) }

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// BuildAll compiles every program (name -> source of a package main) with
// one go build -gcflags=-d=defer. Names are lower-case letters, digits
// and underscores. The error includes the compiler's output when the
// build fails.
func BuildAll(ctx context.Context, progs map[string][]byte) (*Build, error) {
	gotool, err := gorun.GoTool()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "deferio-toolchain-")
	if err != nil {
		return nil, fmt.Errorf("unable to create a build directory: %w", err)
	}
	b := &Build{Dir: dir, Binaries: map[string]*Binary{}}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo 1.26\n"), 0o644); err != nil {
		b.Close()
		return nil, fmt.Errorf("unable to write go.mod: %w", err)
	}
	for name, src := range progs {
		if !namePattern.MatchString(name) {
			b.Close()
			return nil, fmt.Errorf("unable to build program %q: names are lower-case letters, digits and underscores", name)
		}
		pd := filepath.Join(dir, name)
		if err := os.Mkdir(pd, 0o755); err != nil {
			b.Close()
			return nil, fmt.Errorf("unable to create %s: %w", pd, err)
		}
		file := filepath.Join(pd, "main.go")
		if err := os.WriteFile(file, src, 0o644); err != nil {
			b.Close()
			return nil, fmt.Errorf("unable to write %s: %w", name, err)
		}
		b.Binaries[name] = &Binary{Name: name, Bin: filepath.Join(dir, "bin", name), File: file, Strategies: compiler.Report{}}
	}
	out, err := compiler.Build(ctx, compiler.Options{
		Dir:      dir,
		Env:      append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0"),
		Go:       gotool,
		Patterns: []string{"./..."},
		Output:   filepath.Join(dir, "bin") + string(filepath.Separator),
	})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("unable to build the programs: %w", err)
	}
	if err := b.file(out.Report); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// file files the compiler's lines under the programs they are in.
func (b *Build) file(r compiler.Report) error {
	for pos, k := range r {
		rel, err := filepath.Rel(b.Dir, pos.File)
		if err != nil {
			continue
		}
		name, ok := strings.CutSuffix(filepath.ToSlash(rel), "/main.go")
		if !ok || strings.Contains(name, "/") {
			continue
		}
		p, ok := b.Binaries[name]
		if !ok {
			return fmt.Errorf("unable to read the compiler's output: a defer line for unknown program %q", name)
		}
		p.Strategies[pos] = k
	}
	return nil
}

// Run runs a built program and returns what it did.
func (p *Binary) Run(ctx context.Context) (gorun.Result, error) {
	return gorun.Exec(ctx, p.Bin)
}

// BuildOne builds a single program; see [BuildAll].
func BuildOne(ctx context.Context, src []byte) (*Build, *Binary, error) {
	b, err := BuildAll(ctx, map[string][]byte{"prog": src})
	if err != nil {
		return nil, nil, err
	}
	return b, b.Binaries["prog"], nil
}
