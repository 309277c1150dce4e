// Command deferlab shows what the Go 1.26 runtime does with the defer
// statements of a program: it runs the program on the model of package
// defer/chain (through defer/interp) and draws the defer chain, the
// open-coded deferBits and the record pools step by step; it compares
// the model with the real toolchain; and it runs the defer lessons.
//
// Usage:
//
//	deferlab run [-q] [-json] [-svg OUT] [-steps N] [-go VERSION] [-no-color] FILE.go
//	deferlab trace [-real | -both] [-json] [-svg OUT] [-all] [-timeout D] [-events N] FILE.go
//	deferlab compare FILE.go
//	deferlab lessons            run every defer lesson in order
//	deferlab lesson ID          run one lesson
//	deferlab list               list the lessons
//	deferlab quiz [-n N] [-seed S]   predict what programs print
//	deferlab strategies [-race] [-N] PATTERN...   compiler vs model, every defer
//	deferlab help [VERB]        the help, or a verb's flags
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
// trace draws the defer steps alone: of the model by default (as run
// does), of the real runtime with -real (package defer/realtrace: the
// program compiled against a probed copy of the installed runtime, with
// ptrace breakpoints on the deferBits stores of open-coded defers), and
// of both with -both, side by side, step by step, with the first step
// where they differ marked; -both exits 0 when every step agrees, 1
// otherwise. -real passes the program's status through. Where ptrace or
// the toolchain is missing, -real and -both say so and exit 2.
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
	"io"
	"os"
	"os/signal"

	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is deferlab. Its own errors exit 2, as a crash of the program
// it runs does; they always start with "deferlab: ", which a crash report
// never does.
var command = &cli.Command{
	Name: "deferlab",
	Doc: `Shows what the Go 1.26 runtime does with the defer statements of a
program: runs it on the model of package defer/chain and draws the defer
chain, the open-coded deferBits and the record pools step by step;
compares the model with the real toolchain; and runs the defer lessons.`,
	// Every lesson of the defer topic, in tour order: the basics, the
	// runtime model, the compiler's choice, the cost.
	Verbs: append(append([]cli.Verb{runVerb, traceVerb, compareVerb},
		cli.LessonVerbs("defer", func() []lesson.Lesson { return lessons.Topic("defer") }, nil)...),
		quizVerb, strategiesVerb),
	Footer: `Exit status: run and trace -real pass the program's status through;
compare and trace -both exit 0 when model and toolchain agree, 1 when
they differ; deferlab's own errors
exit 2 and print "deferlab: ..." on stderr.`,
	ErrorStatus: 2,
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return command.Run(ctx, args, cli.Streams{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

// oneFile returns the single FILE.go argument of verb.
func oneFile(verb string, args []string) (string, error) {
	switch len(args) {
	case 1:
		return args[0], nil
	case 0:
		return "", cli.Usagef("deferlab %s needs a FILE.go", verb)
	}
	return "", cli.Usagef("%s takes one FILE.go, got %d arguments (flags go before the file)", verb, len(args))
}
