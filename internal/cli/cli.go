// Package cli is the scaffold deferio's commands share: a table of
// verbs, help for the command and for every verb, usage errors that exit
// with status 2 and name what was wrong, the lesson verbs and the colour
// flag.
//
// Every command built on it answers the same way:
//
//	CMD -h, CMD -help, CMD --help, CMD help    the command's help, on stdout, exit 0
//	CMD help VERB, CMD VERB -h, CMD VERB --help  the verb's usage and flags, exit 0
//	CMD -no-color VERB ...                     no colour (also NO_COLOR=1, or not a terminal)
//	CMD list | lessons | lesson ID...          the command's lessons (see [LessonVerbs])
//
// A command with a [Command.Default] verb runs it when the command line
// is empty, starts with a flag of that verb, or starts with a word the
// verb takes (the tour's "tour -list" and "tour ID", defervet's "defervet
// -notopen ./..."). Package clitest checks a command against all this.
//
// A wrong command line (no verb, an unknown verb or flag, a missing
// argument) prints "CMD: usage: WHAT WAS WRONG" and a pointer to the help
// on stderr and exits 2. A verb's own failure prints "CMD: ERROR" and exits
// with [Command.ErrorStatus]; a verb that decides its exit status itself
// (a program's status passed through, a verdict) returns [Exit].
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/deferio/deferio/internal/lesson"
)

// Streams are the standard streams a command runs with, and the global
// -no-color flag.
type Streams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// NoColor is set by -no-color before the verb.
	NoColor bool
}

// Color reports whether output to s.Stdout gets colour: neither -no-color
// before the verb nor the verb's own noColor flag was given, and
// [lesson.ColorFor] allows it (a terminal, NO_COLOR unset).
func (s Streams) Color(noColor bool) bool {
	return !s.NoColor && !noColor && lesson.ColorFor(s.Stdout)
}

// An Action runs a verb with the arguments left after its flags.
type Action func(ctx context.Context, s Streams, args []string) error

// A Verb is one word of a command's command line and what it does.
type Verb struct {
	Name string
	// Args is the synopsis of the arguments after the flags ("SRC DST",
	// "-- CMD ARGS..."); the flags' part is made from the flags.
	Args string
	// Help says what the verb does. Its first paragraph is the verb's line
	// in the command's help; all of it is printed by "help VERB".
	Help string
	// Setup declares the verb's flags on fs and returns its action, which
	// reads them. A flag's usage may name its value in back quotes, as
	// package flag documents: "stop after `D`".
	Setup func(fs *flag.FlagSet) Action
	// Raw verbs parse their own command line: the action gets every
	// argument after the verb's name as it is, flags included, and the
	// flags Setup declares are only shown in the help. For a verb that
	// hands its arguments to another parser (defervet's analyzer driver).
	// "VERB -h" alone still prints the verb's help.
	Raw bool
}

// A Command is a program made of verbs.
type Command struct {
	Name string
	// Doc is the paragraph the command's help prints under its usage line.
	Doc   string
	Verbs []Verb
	// Footer closes the command's help (the exit statuses, say).
	Footer string
	// ErrorStatus is the exit status when a verb fails; 0 means 1.
	ErrorStatus int
	// Default, if not empty, names the verb that runs when the command
	// line names none: when it is empty, when it starts with a flag other
	// than -no-color and the help flags, or when DefaultFor accepts its
	// first word. That verb gets every argument. Without Default, a
	// command line that names no verb is a usage error.
	Default string
	// DefaultFor, if not nil, reports whether a first word that is not a
	// verb starts the Default verb's arguments (a lesson ID, a package
	// pattern); any other such word is an unknown verb.
	DefaultFor func(word string) bool
}

// ErrUsage is matched, with errors.Is, by the errors of [Usagef]: a wrong
// command line, reported with exit status 2.
var ErrUsage = errors.New("usage")

type usageError struct{ msg string }

func (e usageError) Error() string        { return "usage: " + e.msg }
func (e usageError) Is(target error) bool { return target == ErrUsage }

// Usagef returns a usage error whose text says what was wrong with the
// command line.
func Usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Exit returns an error that makes the command exit with status code and
// print nothing more: for a program's status passed through, or a
// verdict already printed.
func Exit(code int) error { return exitError(code) }

// Run runs the command line args (without the command's name) and returns
// the exit status.
func (c *Command) Run(ctx context.Context, args []string, s Streams) int {
	verb, err := c.dispatch(ctx, args, &s)
	var code exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &code):
		return int(code)
	case errors.Is(err, ErrUsage):
		msg := err.Error()
		if !strings.HasPrefix(msg, "usage: ") {
			msg = "usage: " + msg
		}
		help := c.Name + " help"
		if verb != "" {
			help += " " + verb
		}
		fmt.Fprintf(s.Stderr, "%s: %s\n%s: run '%s' for help\n", c.Name, msg, c.Name, help)
		return 2
	}
	fmt.Fprintf(s.Stderr, "%s: %v\n", c.Name, err)
	if c.ErrorStatus != 0 {
		return c.ErrorStatus
	}
	return 1
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// dispatch runs the command line and returns the verb it ran, if any.
func (c *Command) dispatch(ctx context.Context, args []string, s *Streams) (string, error) {
	for len(args) > 0 && (args[0] == "-no-color" || args[0] == "--no-color") {
		s.NoColor = true
		args = args[1:]
	}
	if d := c.verb(c.Default); d != nil && c.runsDefault(args) {
		return d.Name, c.runVerb(ctx, d, args, s)
	}
	if len(args) == 0 {
		return "", Usagef("no verb given (%s)", c.verbNames())
	}
	if isHelp(args[0]) {
		if args[0] == "help" && len(args) > 1 {
			v := c.verb(args[1])
			if v == nil {
				return "", Usagef("no verb %q to help with (%s)", args[1], c.verbNames())
			}
			c.printVerbHelp(s.Stdout, v)
			return "", nil
		}
		c.PrintHelp(s.Stdout)
		return "", nil
	}
	if strings.HasPrefix(args[0], "-") {
		return "", Usagef("flag %s before the verb: only -no-color and -h go there (%s)", args[0], c.verbNames())
	}
	v := c.verb(args[0])
	if v == nil {
		return "", Usagef("unknown verb %q (%s)", args[0], c.verbNames())
	}
	return v.Name, c.runVerb(ctx, v, args[1:], s)
}

// runsDefault reports whether args, after the global flags, go to the
// Default verb.
func (c *Command) runsDefault(args []string) bool {
	switch {
	case len(args) == 0:
		return true
	case isHelp(args[0]) || c.verb(args[0]) != nil:
		return false
	case strings.HasPrefix(args[0], "-"):
		return true
	}
	return c.DefaultFor != nil && c.DefaultFor(args[0])
}

// runVerb parses v's flags from args and runs it.
func (c *Command) runVerb(ctx context.Context, v *Verb, args []string, s *Streams) error {
	fs := c.flags(v)
	action := v.Setup(fs)
	if v.Raw {
		if len(args) == 1 && isHelp(args[0]) && args[0] != "help" {
			c.printVerbHelp(s.Stdout, v)
			return flag.ErrHelp
		}
		return action(ctx, *s, args)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printVerbHelp(s.Stdout, v)
			return err
		}
		return Usagef("%s: %v", v.Name, err)
	}
	return action(ctx, *s, fs.Args())
}

func (c *Command) flags(v *Verb) *flag.FlagSet {
	fs := flag.NewFlagSet(c.Name+" "+v.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

func (c *Command) verb(name string) *Verb {
	for i := range c.Verbs {
		if c.Verbs[i].Name == name {
			return &c.Verbs[i]
		}
	}
	return nil
}

func (c *Command) verbNames() string {
	names := make([]string, len(c.Verbs))
	for i, v := range c.Verbs {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}

// Synopsis returns the verb's command line: its name, each flag as
// [-name VALUE] and its arguments.
func (c *Command) Synopsis(v *Verb) string {
	fs := c.flags(v)
	v.Setup(fs)
	parts := []string{v.Name}
	fs.VisitAll(func(f *flag.Flag) {
		name, _ := flag.UnquoteUsage(f)
		if isBool(f) {
			parts = append(parts, "[-"+f.Name+"]")
		} else {
			parts = append(parts, "[-"+f.Name+" "+name+"]")
		}
	})
	if v.Args != "" {
		parts = append(parts, v.Args)
	}
	return strings.Join(parts, " ")
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// PrintHelp writes the command's help: usage line, Doc, every verb with
// its synopsis and first paragraph, and Footer.
func (c *Command) PrintHelp(w io.Writer) {
	verb := "VERB"
	if c.verb(c.Default) != nil {
		verb = "[VERB]"
	}
	fmt.Fprintf(w, "usage: %s [-no-color] %s [flags] [args]\n\n", c.Name, verb)
	if c.Doc != "" {
		fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(c.Doc))
	}
	fmt.Fprintf(w, "Verbs:\n")
	for i := range c.Verbs {
		v := &c.Verbs[i]
		fmt.Fprintf(w, "  %s\n", c.Synopsis(v))
		first, _, _ := strings.Cut(strings.TrimSpace(v.Help), "\n\n")
		fmt.Fprintf(w, "%s\n", indent(first, "        "))
	}
	if d := c.verb(c.Default); d != nil {
		fmt.Fprintf(w, "\nWithout a verb, %s runs %s: '%s ARGS' is '%s %s ARGS'.\n", c.Name, d.Name, c.Name, c.Name, d.Name)
	}
	fmt.Fprintf(w, "\nRun '%s help VERB' or '%s VERB -h' for a verb's flags.\n", c.Name, c.Name)
	if c.Footer != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Footer))
	}
}

func (c *Command) printVerbHelp(w io.Writer, v *Verb) {
	fmt.Fprintf(w, "usage: %s %s\n\n%s\n", c.Name, c.Synopsis(v), indent(strings.TrimSpace(v.Help), ""))
	fs := c.flags(v)
	v.Setup(fs)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

func indent(text, prefix string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
