package agreement

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/compiler"
)

// A Site is a position as the compiler prints it, with the file made
// absolute.
type Site = compiler.Pos

// ParseCompilerOutput reads what go build -gcflags=-d=defer wrote on
// standard error: "# pkg" headers and "file:line:col: KIND defer"
// lines, with relative file names relative to dir. A position printed
// more than once (a generic function compiled for several shapes) is
// kept once; if two printings disagree, the position is in conflicts.
// Other lines (compile errors) are returned in other. It is
// [compiler.Parse] with the results apart.
func ParseCompilerOutput(out []byte, dir string) (sites map[Site]strategy.Kind, conflicts map[Site][]strategy.Kind, other []string) {
	o, _ := compiler.Parse(out, dir)
	return o.Report, o.Conflicts, o.Other
}

// compilerOptions returns the options that make the compiler print its
// defer decisions in the build mode cfg describes.
func compilerOptions(cfg strategy.Config) compiler.Options {
	var o compiler.Options
	if cfg.NoInline {
		o.GCFlags = append(o.GCFlags, "-l")
	}
	if cfg.NoOptimize {
		o.GCFlags = append(o.GCFlags, "-N")
	}
	if cfg.Shared {
		o.GCFlags = append(o.GCFlags, "-shared")
	}
	if cfg.NoOpenDefer {
		o.Debug = append(o.Debug, "noopendefer=1")
	}
	o.Race = cfg.Race
	return o
}

func buildFlags(cfg strategy.Config) []string {
	var f []string
	if cfg.Race {
		f = append(f, "-race")
	}
	return f
}

// compile runs go build (with -a when all is set) with the compiler's
// -d=defer debugging on the packages matched by patterns, in dir, and
// returns what the compiler said.
func compile(ctx context.Context, dir string, env []string, patterns []string, cfg strategy.Config, all bool) (*compiler.Output, error) {
	opts := compilerOptions(cfg)
	opts.Dir, opts.Env, opts.Patterns, opts.All = dir, env, patterns, all
	opts.Go = "go"
	if cfg.GOARCH != "" {
		opts.Env = append(opts.Env[:len(opts.Env):len(opts.Env)], "GOARCH="+cfg.GOARCH)
	}
	// -o /dev/null: with several packages go build compiles them all and
	// discards the results; with one main package it would write a
	// binary. (-o DIR/ would skip non-main packages nobody imports.)
	opts.Output = os.DevNull
	out, err := compiler.Build(ctx, opts)
	var be *compiler.BuildError
	if errors.As(err, &be) {
		msg := strings.Join(be.Other, "\n")
		if msg == "" {
			msg = strings.TrimSpace(string(be.Output))
		}
		return nil, fmt.Errorf("unable to build %s: go build failed:\n%s", strings.Join(patterns, " "), msg)
	}
	return out, err
}
