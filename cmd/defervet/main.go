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
//
// Flags describing the build: -race, -N (optimizations off),
// -noopendefer, -shared with -goarch=386. The answers match the compiler's
// own go build -gcflags=-d=defer; deferlab strategies measures that.
//
// Exit status: 0 when nothing is reported, 3 when defers are reported,
// 1 when a package does not load or build, 2 for a usage error.
package main

import (
	"os"

	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/deferio/deferio/defer/strategy"
)

func main() {
	// help, -h and --help print the analyzer's help on stdout and exit 0,
	// as every deferio command does (go vet's -flags and -V are left to
	// the checker).
	if len(os.Args) == 2 {
		switch os.Args[1] {
		case "help", "-h", "-help", "--help":
			os.Stderr = os.Stdout
			os.Args[1] = "-h"
		}
	}
	singlechecker.Main(strategy.Analyzer)
}
