// Package toolchain compiles and runs programs with the real Go
// toolchain and collects what the compiler says about their defers
// (-gcflags=-d=defer), to compare them with the model of package
// defer/interp.
//
// Many programs are built by one go build: each becomes a package of a
// temporary module. A comment with a fresh random salt is appended to
// every file so that the build cache never hides the compiler's -d=defer
// lines (the salt changes no line or column), while the standard library
// stays cached.
package toolchain

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/deferio/deferio/internal/deferlines"
	"github.com/deferio/deferio/internal/gorun"
)

// A Strategy is one line of -gcflags=-d=defer: where a defer statement
// is and what the compiler made of it ("open-coded", "stack-allocated" or
// "heap-allocated").
type Strategy struct {
	Line, Col int
	Kind      string
}

// A Program is what the toolchain did with one program.
type Program struct {
	Name string
	// Bin is the compiled binary (inside the build directory).
	Bin string
	// Strategies are the compiler's -d=defer lines, by position.
	Strategies []Strategy
}

// A Build is a set of programs compiled together. Close removes it.
type Build struct {
	Dir      string
	Programs map[string]*Program
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
	b := &Build{Dir: dir, Programs: map[string]*Program{}}
	salt := make([]byte, 8)
	if _, err := rand.Read(salt); err != nil {
		b.Close()
		return nil, fmt.Errorf("unable to make a cache salt: %w", err)
	}
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
		text := append(slices.Clip(src), []byte("\n// build salt "+hex.EncodeToString(salt)+"\n")...)
		if err := os.WriteFile(filepath.Join(pd, "main.go"), text, 0o644); err != nil {
			b.Close()
			return nil, fmt.Errorf("unable to write %s: %w", name, err)
		}
		b.Programs[name] = &Program{Name: name, Bin: filepath.Join(dir, "bin", name)}
	}
	cmd := exec.CommandContext(ctx, gotool, "build", "-gcflags=-d=defer", "-o", filepath.Join(dir, "bin")+string(filepath.Separator), "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("unable to build the programs: go build: %w\n%s", err, out)
	}
	if err := b.parseDefer(string(out)); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *Build) parseDefer(out string) error {
	lines, err := deferlines.Parse(out)
	if err != nil {
		return fmt.Errorf("unable to read the compiler's output: %w", err)
	}
	for _, l := range lines {
		name, ok := strings.CutSuffix(l.File, "/main.go")
		if !ok || strings.Contains(name, "/") {
			continue
		}
		p, ok := b.Programs[name]
		if !ok {
			return fmt.Errorf("unable to read the compiler's output: a defer line for unknown program %q", name)
		}
		p.Strategies = append(p.Strategies, Strategy{Line: l.Line, Col: l.Col, Kind: l.Kind})
	}
	for _, p := range b.Programs {
		slices.SortFunc(p.Strategies, func(a, c Strategy) int {
			if a.Line != c.Line {
				return a.Line - c.Line
			}
			return a.Col - c.Col
		})
	}
	return nil
}

// Run runs a built program and returns what it did.
func (p *Program) Run(ctx context.Context) (gorun.Result, error) {
	return gorun.Exec(ctx, p.Bin)
}

// BuildOne builds a single program; see [BuildAll].
func BuildOne(ctx context.Context, src []byte) (*Build, *Program, error) {
	b, err := BuildAll(ctx, map[string][]byte{"prog": src})
	if err != nil {
		return nil, nil, err
	}
	return b, b.Programs["prog"], nil
}
