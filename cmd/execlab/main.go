// Command execlab runs programs the careful way and teaches how Go starts,
// stops and waits for them on Linux.
//
// Usage:
//
//	execlab [-no-color] run [-timeout D] [-signal SIG] [-keep-terminal] [-max-line N] -- CMD ARGS...
//	execlab [-no-color] lessons
//	execlab [-no-color] lesson ID...
//	execlab list
//	execlab help [VERB]          the help, or a verb's flags (also -h, --help)
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

	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/lessons/execlessons"
	"github.com/deferio/deferio/procx"
	"golang.org/x/sys/unix"
)

// Exit codes of execlab itself.
const (
	exitNotFound = 127
	exitInternal = 125
)

var command = &cli.Command{
	Name: "execlab",
	Doc: `Runs programs the careful way and teaches how Go starts, stops and
waits for them on Linux.`,
	Verbs: append([]cli.Verb{runVerb}, cli.LessonVerbs("exec", execlessons.Lessons, nil)...),
	Footer: `Exit status: run exits with CMD's code, 128+N if CMD was killed by signal
N, 127 if CMD could not be started; 1 when a lesson fails; 2 for a usage
error.`,
}

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
	return command.Run(ctx, args, cli.Streams{Stdin: stdin, Stdout: stdout, Stderr: stderr})
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

var runVerb = cli.Verb{
	Name: "run",
	Args: "-- CMD ARGS...",
	Help: `run CMD in its own process group; a timeout, Ctrl-C or SIGTERM ends CMD
and everything it started. Streams its output line by line and prints how
it ended (exit code or signal, core dump, CPU time, max RSS).

CMD's stdin is /dev/null, unless -keep-terminal: then CMD stays in
execlab's process group and uses execlab's stdin, stdout and stderr.
Exits with CMD's code, 128+N if CMD was killed by signal N, 127 if CMD
could not be started.`,
	Setup: func(fs *flag.FlagSet) cli.Action {
		timeout := fs.Duration("timeout", 0, "end CMD and its process group after `D` (0: no limit)")
		sigName := fs.String("signal", "KILL", "the signal, `SIG`, sent to CMD's process group on timeout or interrupt")
		keep := fs.Bool("keep-terminal", false, "for interactive programs: keep CMD in execlab's process group, with execlab's stdin, stdout and stderr (no line streaming); a timeout then reaches only CMD, not its children")
		maxLine := fs.Int("max-line", procx.DefaultMaxLine, "longest line passed on in one piece (`N` bytes); longer lines are split")
		return func(ctx context.Context, s cli.Streams, argv []string) error {
			code, err := runCommand(ctx, argv, runOptions{*timeout, *sigName, *keep, *maxLine}, s)
			if err != nil {
				return err
			}
			return cli.Exit(code)
		}
	},
}

type runOptions struct {
	timeout time.Duration
	signal  string
	keep    bool
	maxLine int
}

// runCommand runs argv and returns the exit status execlab passes on.
func runCommand(ctx context.Context, argv []string, o runOptions, s cli.Streams) (int, error) {
	stdout, stderr := s.Stdout, s.Stderr
	if len(argv) == 0 {
		return 0, cli.Usagef("run needs a command after --")
	}
	if o.timeout < 0 {
		return 0, cli.Usagef("-timeout %v is negative", o.timeout)
	}
	if o.maxLine <= 0 {
		return 0, cli.Usagef("-max-line %d must be positive", o.maxLine)
	}
	sig, err := parseSignal(o.signal)
	if err != nil {
		return 0, cli.Usagef("-signal: %v", err)
	}
	opts := []procx.Option{procx.CancelSignal(sig)}
	if o.keep {
		opts = append(opts, procx.KeepTerminal())
	}
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	if _, err := procx.Command(ctx, argv, opts...); err != nil {
		if errors.Is(err, procx.ErrEmptyArgv) {
			return 0, cli.Usagef("%v", err)
		}
		fmt.Fprintln(stderr, "execlab:", err)
		return exitNotFound, nil
	}
	start := time.Now()
	var st procx.Status
	if o.keep {
		// The program talks to the terminal itself: a pipe in between
		// would make it stop seeing a terminal.
		st, err = procx.Run(ctx, argv, s.Stdin, stdout, stderr, opts...)
	} else {
		st, err = procx.Stream(ctx, argv, o.maxLine, func(src procx.Source, l procx.Line) {
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
			fmt.Fprintf(stderr, "execlab: %s: not started: the %v timeout expired first\n", argv[0], o.timeout)
		} else {
			fmt.Fprintln(stderr, "execlab:", err)
		}
		return exitNotFound, nil
	}
	why := ""
	if ctxErr := ctx.Err(); errors.Is(ctxErr, context.DeadlineExceeded) {
		why = fmt.Sprintf(" after the %v timeout", o.timeout)
	} else if ctxErr != nil {
		why = " after an interrupt"
	}
	fmt.Fprintf(stderr, "execlab: %s: %v%s (wall %v, %s)\n", argv[0], st, why, elapsed, st.Usage())
	switch {
	case st.Exited:
		return st.Code, nil
	case st.Signaled:
		return 128 + int(st.Signal), nil
	default:
		return exitInternal, nil
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
