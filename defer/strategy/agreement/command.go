package agreement

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/deferio/deferio/defer/strategy"
)

// CommandUsage describes the command line [Command] accepts.
const CommandUsage = `usage: deferlab strategies [-race] [-N] [-noopendefer] [-C DIR] PATTERN...

Builds the packages matched by PATTERN... (in the module of DIR, default
the current directory) with go build -a -gcflags=-d=defer, so that the
compiler prints the strategy of every defer it compiles, predicts the
same with the deferstrategy model, and prints the confusion matrix
(rows: the compiler, columns: the model), every mismatch with its
position and both answers, and a last line "agreement: M/N defers".

Exit status: 0 when every defer agrees, 1 when some differ or a package
does not build, 2 for a usage error.
`

// Command runs "deferlab strategies" with args (the words after the
// verb), writing the report to stdout and errors to stderr, and returns
// the exit status: 0 when model and compiler agree on every defer, 1
// when they differ or the packages do not build or load, 2 for a usage
// error (unknown flag, no pattern).
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deferlab strategies", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, CommandUsage+"\nFlags:\n"); fs.PrintDefaults() }
	var cfg strategy.Config
	var dir string
	fs.BoolVar(&cfg.Race, "race", false, "build and predict with -race")
	fs.BoolVar(&cfg.NoOptimize, "N", false, "build and predict with -gcflags=-N")
	fs.BoolVar(&cfg.NoOpenDefer, "noopendefer", false, "build and predict with -gcflags=-d=noopendefer")
	fs.StringVar(&dir, "C", "", "run in `DIR` instead of the current directory")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the flag package has printed the problem and the usage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "deferlab strategies: no package pattern given (for example ./... or std)")
		return 2
	}
	sum, err := Run(ctx, stdout, Options{Dir: dir, Patterns: fs.Args(), Config: cfg})
	if err != nil {
		fmt.Fprintf(stderr, "deferlab strategies: %v\n", err)
		return 1
	}
	if sum.Agree != sum.Defers {
		return 1
	}
	return 0
}
