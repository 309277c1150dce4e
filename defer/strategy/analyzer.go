// Package strategy predicts, for every defer statement, the strategy the
// Go compiler (go1.26) picks for it: open-coded, stack-allocated or
// heap-allocated, and says why.
//
// The ground truth is the compiler itself: go build -gcflags=-d=defer
// prints one line per defer statement it compiles. The model here reads
// only syntax and types, and follows the compiler's own checks:
//
//   - escape analysis gives a defer a stack record when it is at loop
//     depth 1: not inside a for or range body, not after a label that a
//     later goto jumps back to (cmd/compile/internal/escape), including
//     a label in a callee inlined before it, since escape analysis runs
//     after inlining (cmd/compile/internal/inline; the model estimates
//     the inliner's costs and sees only the package's own callees);
//   - walk counts the defers (at most 8 can be open-coded) and refuses
//     open coding when one is not stack-eligible or when a
//     range-over-func body defers (cmd/compile/internal/walk);
//   - SSA generation refuses it for -N, -d=noopendefer, 386 with
//     -shared, -race, a result parameter on the heap, and when returns x
//     defers > 15 (cmd/compile/internal/ssagen/ssa.go buildssa);
//   - dead code the front end drops is never compiled
//     (cmd/compile/internal/noder/writer.go).
//
// [Decide] is the plain API (used by the defer model's interpreter);
// [Analyzer] reports the same decisions as go/analysis diagnostics.
package strategy

import (
	"flag"
	"fmt"
	"go/ast"
	"runtime"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Analyzer reports, for each defer statement, the strategy the compiler
// will use and the reasons when it is not open-coded:
//
//	x.go:12:2: stack-allocated defer: 4 returns x 4 defers = 16 > 15
//
// Its flags describe the build: -race, -N, -noopendefer, -shared and
// -goarch; -notopen reports only the defers that are not open-coded
// (the question "why is this defer not free?").
var Analyzer = &analysis.Analyzer{
	Name:  "deferstrategy",
	Doc:   doc,
	URL:   "https://pkg.go.dev/github.com/deferio/deferio/defer/strategy",
	Flags: flags(),
	Run:   run,
}

const doc = `report the strategy the compiler picks for each defer statement

For every defer statement, deferstrategy reports open-coded,
stack-allocated or heap-allocated defer, as go build -gcflags=-d=defer
would, followed by the reasons a defer is not open-coded: in a loop,
after a looping label, more than 8 defers, returns x defers > 15,
another defer in a loop, a result parameter on the heap, a
range-over-func loop body, -race, -N.`

// The Analyzer's flags. They live in package variables because the
// analysis framework parses them once per process.
var (
	flagRace        bool
	flagN           bool
	flagNoOpenDefer bool
	flagShared      bool
	flagGOARCH      string
	flagNotOpen     bool
)

func flags() flag.FlagSet {
	fs := flag.NewFlagSet("deferstrategy", flag.ContinueOnError)
	fs.BoolVar(&flagRace, "race", false, "predict for a -race build")
	fs.BoolVar(&flagN, "N", false, "predict for -gcflags=-N (optimizations off)")
	fs.BoolVar(&flagNoOpenDefer, "noopendefer", false, "predict for -gcflags=-d=noopendefer")
	fs.BoolVar(&flagShared, "shared", false, "predict for -shared/-dynlink (matters on 386)")
	flagGOARCH = runtime.GOARCH
	fs.Var(goarchFlag{&flagGOARCH}, "goarch", "target architecture (matters with -shared)")
	fs.BoolVar(&flagNotOpen, "notopen", false, "report only defers that are not open-coded, with the reasons")
	return *fs
}

// Message returns the diagnostic text for d: its strategy, as the
// compiler's -d=defer words it, then the reasons after a colon.
func Message(d Decision) string {
	if d.Kind == DeadCode {
		return "defer in dead code: the compiler drops it"
	}
	msg := d.Kind.String() + " defer"
	if len(d.Reasons) > 0 {
		texts := make([]string, len(d.Reasons))
		for i, r := range d.Reasons {
			texts[i] = r.Text
		}
		msg += ": " + strings.Join(texts, "; ")
	}
	return msg
}

func run(pass *analysis.Pass) (any, error) {
	cfg := Config{
		Race:        flagRace,
		NoOptimize:  flagN,
		NoOpenDefer: flagNoOpenDefer,
		Shared:      flagShared,
		GOARCH:      flagGOARCH,
	}
	if !hasDefer(pass.Files) {
		return nil, nil
	}
	decisions, err := Decide(pass.Fset, pass.Files, pass.TypesInfo, cfg)
	if err != nil {
		return nil, fmt.Errorf("unable to analyse package %s: %w", pass.Pkg.Path(), err)
	}
	for _, d := range decisions {
		if flagNotOpen && (d.Kind == OpenCoded || d.Kind == DeadCode) {
			continue
		}
		pass.Report(analysis.Diagnostic{Pos: d.Defer.Defer, End: d.Defer.End(), Category: d.Kind.String(), Message: Message(d)})
	}
	return nil, nil
}

func hasDefer(files []*ast.File) bool {
	found := false
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if _, ok := n.(*ast.DeferStmt); ok {
				found = true
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// goarchFlag accepts only architectures the Go toolchain knows, so that
// a typo is a usage error.
type goarchFlag struct{ p *string }

func (f goarchFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f goarchFlag) Set(s string) error {
	if err := (Config{GOARCH: s}).Validate(); err != nil {
		return err
	}
	*f.p = s
	return nil
}
