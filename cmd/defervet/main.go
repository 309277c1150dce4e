// Command defervet reports, for every defer statement, the strategy the Go
// compiler picks for it (open-coded, stack-allocated or heap-allocated)
// and, when a defer is not open-coded, why: in a loop, after a looping
// label, more than 8 defers, returns x defers > 15, another defer in a
// loop, a result parameter on the heap, a range-over-func loop body,
// -race, -N.
//
// It runs the deferstrategy analyzer of package
// github.com/deferio/deferio/defer/strategy, standalone or under go vet:
//
//	defervet ./...                     every defer, with its strategy
//	defervet -notopen ./...            only the defers that are not free
//	defervet -race ./...               as a -race build would compile them
//	go vet -vettool=$(which defervet) -notopen ./...
//	defervet [-no-color] lessons       the lessons on the compiler's choice
//	defervet [-no-color] lesson ID...  the lessons named
//	defervet list                      list them
//	defervet help [VERB]               the help, or a verb's flags (also -h, --help)
//
// Without a verb, defervet runs its vet verb: "defervet -notopen ./..."
// is "defervet vet -notopen ./...". A first word that is not a verb is a
// package pattern when it has a slash or a dot, is std, all or cmd, or
// names a standard library package.
//
// Flags describing the build: -race, -N (optimizations off),
// -noopendefer, -shared with -goarch=386. The answers match the compiler's
// own go build -gcflags=-d=defer; deferlab strategies measures that.
//
// Exit status: 0 when nothing is reported, 3 when defers are reported,
// 1 when a package does not load or build, 2 for a usage error.
package main

import (
	"context"
	"flag"
	"go/build"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/lessons/strategylessons"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

var command = &cli.Command{
	Name: "defervet",
	Doc: `Runs the deferstrategy analyzer: for every defer statement, the strategy
the Go compiler picks for it and, when it is not open-coded, why.`,
	Verbs: append([]cli.Verb{vetVerb}, cli.LessonVerbs("strategy", strategylessons.Lessons, nil)...),
	Footer: `Exit status: 0 when nothing is reported, 3 when defers are reported,
1 when a package does not load or build or a lesson fails, 2 for a usage
error.`,
	Default:    "vet",
	DefaultFor: isPackagePattern,
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return command.Run(ctx, args, cli.Streams{Stdin: os.Stdin, Stdout: stdout, Stderr: stderr})
}

// isPackagePattern reports whether a first word that is not a verb is a
// package pattern (or the configuration file go vet passes).
func isPackagePattern(word string) bool {
	switch word {
	case "std", "all", "cmd":
		return true
	}
	if strings.ContainsAny(word, "/.") {
		return true
	}
	fi, err := os.Stat(filepath.Join(build.Default.GOROOT, "src", word))
	return err == nil && fi.IsDir()
}

// vetVerb hands its command line to the go/analysis driver, which parses
// the analyzer's flags, its own (-json, -fix, -V, -flags ...) and, under go
// vet, the configuration file.
var vetVerb = cli.Verb{
	Name: "vet",
	Args: "PACKAGES...",
	Help: strategy.Analyzer.Doc + `

The go/analysis driver's own flags (-json, -c N, -fix, -diff, -test, -V,
-flags) work too: 'go vet -vettool=$(which defervet)' calls defervet with
them.`,
	Raw: true,
	Setup: func(fs *flag.FlagSet) cli.Action {
		strategy.Analyzer.Flags.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
		return func(_ context.Context, _ cli.Streams, args []string) error {
			os.Args = append([]string{os.Args[0]}, args...)
			singlechecker.Main(strategy.Analyzer) // exits
			return nil
		}
	},
}
