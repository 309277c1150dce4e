package agreement

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/internal/deferlines"
)

// A Site is a position as the compiler prints it, with the file made
// absolute.
type Site struct {
	File      string
	Line, Col int
}

func (s Site) String() string { return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Col) }

// ParseCompilerOutput reads what go build -gcflags=-d=defer wrote on
// standard error: "# pkg" headers and "file:line:col: KIND defer"
// lines, with relative file names relative to dir. A position printed
// more than once (a generic function compiled for several shapes) is
// kept once; if two printings disagree, the position is in conflicts.
// Other lines (compile errors) are returned in other.
func ParseCompilerOutput(out []byte, dir string) (sites map[Site]strategy.Kind, conflicts map[Site][]strategy.Kind, other []string) {
	sites = map[Site]strategy.Kind{}
	conflicts = map[Site][]strategy.Kind{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		l, ok, err := deferlines.ParseLine(line)
		if err != nil || !ok {
			if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "# ") {
				other = append(other, line)
			}
			continue
		}
		file := l.File
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		k, _ := strategy.ParseKind(l.Kind)
		s := Site{filepath.Clean(file), l.Line, l.Col}
		if old, ok := sites[s]; ok && old != k {
			conflicts[s] = append(conflicts[s], k)
			continue
		}
		sites[s] = k
	}
	return sites, conflicts, other
}

// gcflags returns the compiler flags that make the compiler print its
// defer decisions in the build mode cfg describes.
func gcflags(cfg strategy.Config) string {
	d := "-d=defer"
	if cfg.NoOpenDefer {
		d += ",noopendefer=1"
	}
	if cfg.Shared {
		d = "-shared " + d
	}
	if cfg.NoOptimize {
		d = "-N " + d
	}
	if cfg.NoInline {
		d = "-l " + d
	}
	return d
}

func buildFlags(cfg strategy.Config) []string {
	var f []string
	if cfg.Race {
		f = append(f, "-race")
	}
	return f
}

// compile runs go build (with -a when all is set) with the compiler's -d=defer debugging on the
// packages matched by patterns, in dir, and returns what it printed.
func compile(ctx context.Context, dir string, env []string, patterns []string, cfg strategy.Config, all bool) ([]byte, error) {
	// -o /dev/null: with several packages go build compiles them all and
	// discards the results; with one main package it would write a
	// binary. (-o DIR/ would skip non-main packages nobody imports.)
	var extra []string
	if all {
		extra = append(extra, "-a")
	}
	return goBuild(ctx, dir, env, patterns, cfg, append(extra, "-o", os.DevNull)...)
}

func goBuild(ctx context.Context, dir string, env []string, patterns []string, cfg strategy.Config, extra ...string) ([]byte, error) {
	args := append([]string{"build"}, extra...)
	args = append(args, "-gcflags="+gcflags(cfg))
	args = append(args, buildFlags(cfg)...)
	args = append(args, "--")
	args = append(args, patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = env
	if cfg.GOARCH != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+cfg.GOARCH)
	}
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		_, _, other := ParseCompilerOutput(stderr.Bytes(), dir)
		msg := strings.Join(other, "\n")
		if msg == "" {
			msg = strings.TrimSpace(stderr.String())
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil, fmt.Errorf("unable to build %s: go build failed:\n%s", strings.Join(patterns, " "), msg)
		}
		return nil, fmt.Errorf("unable to run go build: %w", err)
	}
	return stderr.Bytes(), nil
}
