// Command execlab runs programs the careful way and teaches how Go starts,
// stops and waits for them on Linux.
//
// Usage:
//
//	execlab [-no-color] run [-timeout D] [-signal SIG] [-keep-terminal] [-max-line N] -- CMD ARGS...
//	execlab [-no-color] lessons
//	execlab [-no-color] lesson ID
//	execlab list
//
// run starts CMD through procx.Command: in a process group of its own, so
// a timeout (or Ctrl-C, or SIGTERM to execlab) ends CMD and every process
// it started. It streams CMD's stdout and stderr line by line to its own,
// then prints on stderr how CMD ended (exit code, or the signal and
// whether a core was dumped) with its CPU time and peak memory. execlab
// exits with CMD's exit code, 128+N when CMD was killed by signal N (the
// shell's convention), 127 when CMD cannot be found or started, and 2 for
// a usage error.
//
// lessons runs every exec lesson in order, lesson runs one, list names
// them. The lessons compile and run real programs (they need the Go
// toolchain) and trace system calls with strace when it is installed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/execlessons"
	"github.com/deferio/deferio/procx"
	"golang.org/x/sys/unix"
)

// Exit codes of execlab itself.
const (
	exitUsage    = 2
	exitNotFound = 127
	exitInternal = 125
)

const usage = `usage: execlab [-no-color] VERB [ARGS]

verbs:
  run [-timeout D] [-signal SIG] [-keep-terminal] [-max-line N] -- CMD ARGS...
        run CMD in its own process group; a timeout, Ctrl-C or SIGTERM ends
        CMD and everything it started. Streams its output line by line and
        prints how it ended (exit code or signal, core dump, CPU time, max RSS).
        CMD's stdin is /dev/null, unless -keep-terminal: then CMD stays in
        execlab's process group and uses execlab's stdin, stdout and stderr.
        Exits with CMD's code, 128+N if CMD was killed by signal N, 127 if
        CMD could not be started.
  lessons
        run every exec lesson in order
  lesson ID
        run one lesson
  list
        list the lessons

flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// stdin is what "run -keep-terminal" gives the program; tests replace it.
var stdin io.Reader = os.Stdin

// run is execlab without the process around it, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("execlab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	noColor := fs.Bool("no-color", false, "never colour the lessons")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "execlab: no verb given (run, lessons, lesson, list)")
		fs.Usage()
		return exitUsage
	}
	opts := lesson.Options{Color: !*noColor && lesson.ColorFor(stdout)}
	verb, rest := fs.Arg(0), fs.Args()[1:]
	switch verb {
	case "run":
		return runVerb(ctx, rest, stdout, stderr)
	case "lessons", "lesson", "list":
		err := lesson.Dispatch(ctx, "execlab", verb, rest, execlessons.Lessons(), stdout, opts)
		if errors.Is(err, lesson.ErrUsage) {
			return usageErr(stderr, "%v", err)
		}
		if err != nil {
			fmt.Fprintln(stderr, "execlab:", err)
			return 1
		}
		return 0
	case "help":
		fs.Usage()
		return 0
	default:
		return usageErr(stderr, "unknown verb %q (run, lessons, lesson, list)", verb)
	}
}

func usageErr(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "execlab: "+format+"\n", args...)
	fmt.Fprintln(stderr, "run execlab -h for help")
	return exitUsage
}

// parseSignal accepts "TERM", "SIGTERM" or "15".
func parseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("%d is not a signal number (1-64)", n)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

func runVerb(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("execlab run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 0, "end CMD and its process group after this long (0: no limit)")
	sigName := fs.String("signal", "KILL", "signal sent to CMD's process group on timeout or interrupt")
	keep := fs.Bool("keep-terminal", false, "for interactive programs: keep CMD in execlab's process group, with execlab's stdin, stdout and stderr (no line streaming); a timeout then reaches only CMD, not its children")
	maxLine := fs.Int("max-line", procx.DefaultMaxLine, "longest line passed on in one piece; longer lines are split")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: execlab run [-timeout D] [-signal SIG] [-keep-terminal] [-max-line N] -- CMD ARGS...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	argv := fs.Args()
	if len(argv) == 0 {
		return usageErr(stderr, "run needs a command after --")
	}
	if *timeout < 0 {
		return usageErr(stderr, "-timeout %v is negative", *timeout)
	}
	if *maxLine <= 0 {
		return usageErr(stderr, "-max-line %d must be positive", *maxLine)
	}
	sig, err := parseSignal(*sigName)
	if err != nil {
		return usageErr(stderr, "-signal: %v", err)
	}
	opts := []procx.Option{procx.CancelSignal(sig)}
	if *keep {
		opts = append(opts, procx.KeepTerminal())
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	if _, err := procx.Command(ctx, argv, opts...); err != nil {
		fmt.Fprintln(stderr, "execlab:", err)
		if errors.Is(err, procx.ErrEmptyArgv) {
			return exitUsage
		}
		return exitNotFound
	}
	start := time.Now()
	var st procx.Status
	if *keep {
		// The program talks to the terminal itself: a pipe in between
		// would make it stop seeing a terminal.
		st, err = procx.Run(ctx, argv, stdin, stdout, stderr, opts...)
	} else {
		st, err = procx.Stream(ctx, argv, *maxLine, func(src procx.Source, l procx.Line) {
			w := stdout
			if src == procx.FromStderr {
				w = stderr
			}
			io.WriteString(w, l.Text+terminator(l.End))
		}, opts...)
	}
	elapsed := time.Since(start).Round(time.Millisecond)
	if st.Pid == 0 {
		// Never started.
		if errors.Is(err, context.DeadlineExceeded) {
			fmt.Fprintf(stderr, "execlab: %s: not started: the %v timeout expired first\n", argv[0], *timeout)
		} else {
			fmt.Fprintln(stderr, "execlab:", err)
		}
		return exitNotFound
	}
	why := ""
	if ctxErr := ctx.Err(); errors.Is(ctxErr, context.DeadlineExceeded) {
		why = fmt.Sprintf(" after the %v timeout", *timeout)
	} else if ctxErr != nil {
		why = " after an interrupt"
	}
	fmt.Fprintf(stderr, "execlab: %s: %v%s (wall %v, %s)\n", argv[0], st, why, elapsed, st.Usage())
	switch {
	case st.Exited:
		return st.Code
	case st.Signaled:
		return 128 + int(st.Signal)
	default:
		return exitInternal
	}
}

// terminator gives back the bytes a line ended with, so the output is
// passed on unchanged.
func terminator(e procx.End) string {
	switch e {
	case procx.EndLF:
		return "\n"
	case procx.EndCRLF:
		return "\r\n"
	case procx.EndCR:
		return "\r"
	}
	return ""
}
