package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/agreement"
	"github.com/deferio/deferio/internal/cli"
)

var strategiesVerb = cli.Verb{
	Name: "strategies",
	Args: "PATTERN...",
	Help: `build PATTERN with go build -a -gcflags=-d=defer, predict every defer's
strategy with package defer/strategy, and print the confusion matrix,
each mismatch and "agreement: M/N defers"

Builds the packages matched by PATTERN... (in the module of DIR, default
the current directory) so that the compiler prints the strategy of every
defer it compiles, predicts the same with the deferstrategy model, and
prints the confusion matrix (rows: the compiler, columns: the model),
every mismatch with its position and both answers, and a last line
"agreement: M/N defers". Exits 0 when every defer agrees, 1 when some
differ or a package does not build (its errors start with
"deferlab strategies: "), 2 for a usage error.`,
	Setup: func(fs *flag.FlagSet) cli.Action {
		var cfg strategy.Config
		var dir string
		fs.BoolVar(&cfg.Race, "race", false, "build and predict with -race")
		fs.BoolVar(&cfg.NoOptimize, "N", false, "build and predict with -gcflags=-N")
		fs.BoolVar(&cfg.NoOpenDefer, "noopendefer", false, "build and predict with -gcflags=-d=noopendefer")
		fs.StringVar(&dir, "C", "", "run in `DIR` instead of the current directory")
		return func(ctx context.Context, s cli.Streams, patterns []string) error {
			if len(patterns) == 0 {
				return cli.Usagef("strategies: no package pattern given (for example ./... or std)")
			}
			sum, err := agreement.Run(ctx, s.Stdout, agreement.Options{Dir: dir, Patterns: patterns, Config: cfg})
			if err != nil {
				fmt.Fprintf(s.Stderr, "deferlab strategies: %v\n", err)
				return cli.Exit(1)
			}
			if sum.Agree != sum.Defers {
				return cli.Exit(1)
			}
			return nil
		}
	},
}
