// Command iolab shows what happens under Go's io interfaces: it runs the
// io lessons, copies a file through traced wrappers to show which path
// io.Copy takes, and runs the contract checkers of iox/ioxtest on a real
// file.
//
// Usage:
//
//	iolab [-no-color] lessons          run every io lesson in order
//	iolab [-no-color] lesson ID...     run the lessons named
//	iolab list                         list the lessons
//	iolab copy [-wrap WAY] SRC DST     copy SRC to DST, traced
//	iolab check FILE                   check *os.File's contracts on FILE
//	iolab help [VERB]                  the help, or a verb's flags (also -h, --help)
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
	"io"
	"os"
	"os/signal"

	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/lessons/iolessons"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

var command = &cli.Command{
	Name:   "iolab",
	Doc:    "Shows what happens under Go's io interfaces.",
	Verbs:  append(cli.LessonVerbs("io", iolessons.Lessons, nil), copyVerb, checkVerb),
	Footer: "Exit status: 0 on success, 1 when check finds violations or a copy or a\nlesson fails, 2 for a usage error.",
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return command.Run(ctx, args, cli.Streams{Stdin: os.Stdin, Stdout: stdout, Stderr: stderr})
}
