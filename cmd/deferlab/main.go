// Command deferlab shows what the Go 1.26 runtime does with the defer
// statements of a program: it runs the program on the model of package
// defer/chain (through defer/interp) and draws the defer chain, the
// open-coded deferBits and the record pools step by step; it compares
// the model with the real toolchain; and it runs the defer lessons.
//
// Usage:
//
//	deferlab run [-q] [-json] [-svg OUT] [-steps N] [-go VERSION] [-no-color] FILE.go
//	deferlab compare FILE.go
//	deferlab lessons            run every defer lesson in order
//	deferlab lesson ID          run one lesson
//	deferlab list               list the lessons
//	deferlab quiz [-n N] [-seed S]   predict what programs print
//	deferlab strategies [-race] [-N] PATTERN...   compiler vs model, every defer
//
// run prints the program's stdout and stderr, then the trace as a
// terminal diagram. -json prints the defers and the events as JSON
// instead of the diagram; -svg OUT also writes a picture of the chain
// over time. run -q behaves like the compiled program: its stdout, its
// stderr (print, println and the crash report "panic: ..." as Go prints
// it, with "[recovered]" where Go adds it) and its exit status, nothing
// else. FILE.go must stay in the subset documented in package
// defer/interp. -go 1.12 or -go 1.13 runs the program with the
// strategies of an older release (heap only; heap and stack) to compare
// the modelled costs; the runtime steps stay Go 1.26's.
//
// strategies builds the packages matched by PATTERN in the current module
// with go build -a -gcflags=-d=defer, predicts the strategy of every defer
// with package defer/strategy, and prints the confusion matrix, every
// mismatch with both answers, and a last line "agreement: M/N defers"; it
// exits 0 when they agree on every defer, 1 otherwise (its errors start
// with "deferlab strategies: ").
//
// compare builds and runs FILE.go with the real toolchain
// (go build -gcflags=-d=defer) and runs it on the model, and prints both
// side by side with a verdict. It exits 0 when they agree, 1 when they
// differ.
//
// Exit status: run passes the program's exit status through (0, the
// code given to os.Exit, 2 for an unrecovered panic or a fatal error).
// deferlab's own errors (bad usage, a missing file, a syntax error, a
// construct outside the subset, a step limit) also exit with status 2,
// and they always print one or more lines starting with "deferlab: " on
// stderr, which the program's crash report never does ("panic: " or
// "fatal error: "). To tell them apart in a script, look for that
// prefix, or run with -json, whose output is only written when the
// model ran the program.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/deferio/deferio/defer/strategy/agreement"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks errors in the command line.
var errUsage = errors.New("usage")

// exitError carries an exit status that is not deferlab's own error:
// the program's status, or compare's verdict.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

const usage = `usage: deferlab VERB [flags] [args]

Verbs:
  run [-q] [-json] [-svg OUT] [-steps N] [-go VERSION] [-no-color] FILE.go
        run FILE.go on the runtime model: its output, then the defer
        chain step by step (-json: events as JSON; -svg: a picture;
        -q: only what the compiled program would print, and its status)
  compare FILE.go
        real toolchain (go build -gcflags=-d=defer, then run) against the
        model: output, exit status, panic line, strategy of every defer
  lessons [-no-color]     run every defer lesson
  lesson [-no-color] ID   run one lesson
  list                    list the lessons
  quiz [-n N] [-seed S] [-no-color]
        show N programs; type what each prints (end with an empty line),
        then see what it really prints and your score
  strategies [-race] [-N] [-noopendefer] [-C DIR] PATTERN...
        build PATTERN with go build -a -gcflags=-d=defer, predict every
        defer's strategy with package defer/strategy, and print the
        confusion matrix, each mismatch and "agreement: M/N defers"

Exit status: run passes the program's status through; compare exits 0
when model and toolchain agree, 1 when they differ; deferlab's own errors
exit 2 and print "deferlab: ..." on stderr.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdin, stdout, stderr)
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintf(stderr, "deferlab: %v\n", err)
		if errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "deferlab: run 'deferlab -h' for help\n")
		}
		return 2
	}
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no verb given (run, compare, lessons, lesson, list, quiz, strategies)", errUsage)
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "run":
		return runVerb(ctx, rest, stdout, stderr)
	case "compare":
		return compareVerb(ctx, rest, stdout, stderr)
	case "lessons", "lesson", "list":
		return lessonsVerb(ctx, verb, rest, stdout, stderr)
	case "quiz":
		return quizVerb(ctx, rest, stdin, stdout)
	case "strategies":
		if code := agreement.Command(ctx, rest, stdout, stderr); code != 0 {
			return exitError{code}
		}
		return nil
	}
	return fmt.Errorf("%w: unknown verb %q (run, compare, lessons, lesson, list, quiz, strategies)", errUsage, verb)
}

// newFlags makes a verb's flag set. The flag package prints nothing
// itself: errors are reported once, as deferlab's own ("deferlab: ..."),
// and -h prints the usage on stdout.
func newFlags(name string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("deferlab "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(stdout, usage+"\nFlags of "+name+":\n")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// oneFile returns the single FILE.go argument.
func oneFile(fs *flag.FlagSet) (string, error) {
	switch fs.NArg() {
	case 1:
		return fs.Arg(0), nil
	case 0:
		return "", fmt.Errorf("%w: %s needs a FILE.go", errUsage, fs.Name())
	}
	return "", fmt.Errorf("%w: %s takes one FILE.go, got %d arguments (flags go before the file)", errUsage, fs.Name(), fs.NArg())
}
