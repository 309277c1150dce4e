// Package gorun compiles and runs Go programs with the real toolchain, so
// that lessons and tests show what Go really does instead of pasted output.
package gorun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Result is what a program did when it ran.
type Result struct {
	Stdout   string
	Stderr   string
	ExitCode int // 0, os.Exit's argument, or 2 for an unrecovered panic
}

// PanicLine returns the first line of stderr that starts with "panic: ",
// or "" when the program did not panic.
func (r Result) PanicLine() string {
	for _, l := range strings.Split(r.Stderr, "\n") {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return l
		}
	}
	return ""
}

var (
	goOnce sync.Once
	goPath string
	goErr  error
)

// GoTool returns the path of the go command: $GOROOT/bin/go when GOROOT
// is set, else the first go on PATH.
func GoTool() (string, error) {
	goOnce.Do(func() {
		if root := os.Getenv("GOROOT"); root != "" {
			p := filepath.Join(root, "bin", "go")
			if _, err := os.Stat(p); err == nil {
				goPath = p
				return
			}
		}
		goPath, goErr = exec.LookPath("go")
		if goErr != nil {
			goErr = fmt.Errorf("the Go toolchain is needed to compile the lesson's programs: %w", goErr)
		}
	})
	return goPath, goErr
}

// Module is a temporary main module holding one program.
type Module struct {
	Dir string
}

// NewModule writes src as main.go of a new module in a temporary directory,
// with "go 1.26" in its go.mod. Remove it with Close.
func NewModule(src []byte) (*Module, error) { return NewModuleVersion(src, "1.26") }

// NewModuleVersion is NewModule with another language version in go.mod,
// such as "1.21", which changes what the compiler accepts and means (for
// example the per-iteration loop variables of Go 1.22).
func NewModuleVersion(src []byte, goVersion string) (*Module, error) {
	dir, err := os.MkdirTemp("", "deferio-prog-")
	if err != nil {
		return nil, fmt.Errorf("unable to create a directory for the program: %w", err)
	}
	m := &Module{Dir: dir}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo "+goVersion+"\n"), 0o644); err != nil {
		m.Close()
		return nil, fmt.Errorf("unable to write go.mod: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		m.Close()
		return nil, fmt.Errorf("unable to write main.go: %w", err)
	}
	return m, nil
}

// Close removes the module's directory.
func (m *Module) Close() error { return os.RemoveAll(m.Dir) }

// Go runs the go command in the module with args and returns its combined
// output. A non-zero exit is an error that includes the output.
func (m *Module) Go(ctx context.Context, args ...string) (string, error) {
	gotool, err := GoTool()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, gotool, args...)
	cmd.Dir = m.Dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Build compiles the program with extra build flags and returns the path of
// the binary, inside the module directory.
func (m *Module) Build(ctx context.Context, flags ...string) (string, error) {
	bin := filepath.Join(m.Dir, "prog")
	args := append([]string{"build", "-o", bin}, flags...)
	if _, err := m.Go(ctx, append(args, ".")...); err != nil {
		return "", err
	}
	return bin, nil
}

// Exec runs a compiled program and returns what it did. Only a failure to
// start it is an error; a non-zero exit is part of the Result.
func Exec(ctx context.Context, bin string) (Result, error) { return ExecArgs(ctx, bin) }

// ExecArgs is Exec with command-line arguments for the program.
func ExecArgs(ctx context.Context, bin string, args ...string) (Result, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "GOTRACEBACK=single")
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitCode()
	case err != nil:
		return res, fmt.Errorf("unable to run %s: %w", bin, err)
	}
	return res, nil
}

// Run compiles src as a main package and runs it.
func Run(ctx context.Context, src []byte) (Result, error) { return RunVersion(ctx, src, "1.26") }

// RunVersion is Run with another language version in go.mod.
func RunVersion(ctx context.Context, src []byte, goVersion string) (Result, error) {
	m, err := NewModuleVersion(src, goVersion)
	if err != nil {
		return Result{}, err
	}
	defer m.Close()
	bin, err := m.Build(ctx)
	if err != nil {
		return Result{}, err
	}
	return Exec(ctx, bin)
}

// GOROOT returns the root of the Go toolchain that GoTool runs, as
// `go env GOROOT` reports it.
func GOROOT(ctx context.Context) (string, error) {
	gotool, err := GoTool()
	if err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, gotool, "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("unable to ask go env GOROOT: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// BuildProgram writes src as main.go of a new module and compiles it. It
// returns the module, which the caller closes, and the binary's path.
func BuildProgram(ctx context.Context, src []byte) (*Module, string, error) {
	m, err := NewModule(src)
	if err != nil {
		return nil, "", err
	}
	bin, err := m.Build(ctx)
	if err != nil {
		m.Close()
		return nil, "", err
	}
	return m, bin, nil
}

// Programs are the Go programs a lesson package embeds, one main package
// per file in the directory Dir of FS (testdata/programs, which keeps
// them out of the module's own build).
type Programs struct {
	FS  fs.FS
	Dir string
}

// Source returns the program called name.
func (p Programs) Source(name string) ([]byte, error) {
	b, err := fs.ReadFile(p.FS, p.Dir+"/"+name)
	if err != nil {
		return nil, fmt.Errorf("unable to read program %s: %w", name, err)
	}
	return b, nil
}

// Build compiles the program called name with [BuildProgram] and
// returns the module (to Close) and the binary's path.
func (p Programs) Build(ctx context.Context, name string) (*Module, string, error) {
	src, err := p.Source(name)
	if err != nil {
		return nil, "", err
	}
	m, bin, err := BuildProgram(ctx, src)
	if err != nil {
		return nil, "", fmt.Errorf("unable to build %s: %w", name, err)
	}
	return m, bin, nil
}
