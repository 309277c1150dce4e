// Command iolab shows what happens under Go's io interfaces: it runs the
// io lessons, copies a file through traced wrappers to show which path
// io.Copy takes, and runs the contract checkers of iox/ioxtest on a real
// file.
//
// Usage:
//
//	iolab lessons [-no-color]          run every io lesson in order
//	iolab lesson [-no-color] ID        run one lesson
//	iolab list                         list the lessons
//	iolab copy [-wrap WAY] SRC DST     copy SRC to DST, traced
//	iolab check FILE                   check *os.File's contracts on FILE
//
// copy wraps the source and the destination in an iox.Tracer and prints
// every call io.Copy made. -wrap chooses what goes around the source
// file: "none" (the file itself), "counting" (iox.NewCountingReader, which
// forwards WriteTo and keeps the kernel's copy_file_range), or "hidden"
// (iox.OnlyReader, which hides it and makes io.Copy read and write 32 KiB
// at a time). DST is created or truncated.
//
// check opens FILE read-only and runs ioxtest.TestReader, TestSeeker,
// TestReaderAt and TestWriterTo on it, each on a fresh descriptor, and
// prints the violations. It exits 1 when there are some.
//
// Exit status: 0 on success, 1 when check finds violations or a copy or
// lesson fails, 2 for a usage error (with a message naming the problem).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks errors in the command line.
var errUsage = errors.New("usage")

// errFound marks a check that found violations (exit 1, already printed).
var errFound = errors.New("violations found")

const usage = `usage: iolab VERB [flags] [args]

Verbs:
  lessons [-no-color]        run every io lesson in order
  lesson [-no-color] ID      run one lesson
  list                       list the lessons
  copy [-wrap WAY] SRC DST   copy the file SRC to DST through traced
                             wrappers and print every call io.Copy made;
                             WAY is none (default), counting or hidden
  check FILE                 run the iox/ioxtest contract checkers
                             (Reader, Seeker, ReaderAt, WriterTo) on FILE

Exit status: 0 on success, 1 when check finds violations or a copy or a
lesson fails, 2 for a usage error.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errFound):
		return 1
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "iolab: %v\niolab: run 'iolab -h' for help\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "iolab: %v\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no verb given (lessons, lesson, list, copy, check)", errUsage)
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "lessons", "lesson", "list":
		return lessonsVerb(ctx, verb, rest, stdout, stderr)
	case "copy":
		return copyVerb(rest, stdout, stderr)
	case "check":
		return checkVerb(rest, stdout, stderr)
	}
	return fmt.Errorf("%w: unknown verb %q (lessons, lesson, list, copy, check)", errUsage, verb)
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("iolab "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage+"\nFlags of "+name+":\n"); fs.PrintDefaults() }
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
