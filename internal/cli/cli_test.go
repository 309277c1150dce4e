package cli_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/lesson"
)

// lab is a command with one verb of its own, the lesson verbs and two
// lessons, as every lab is built. The lessons borrow the notes sections of
// two real lessons.
func lab() *cli.Command {
	lessons := func() []lesson.Lesson {
		return []lesson.Lesson{
			{ID: "defer-basics", Topic: "test", Title: "The first", Run: func(_ context.Context, p *lesson.Page) error { p.Text("first body"); return nil }},
			{ID: "io-readerat", Topic: "test", Title: "The second", Run: func(_ context.Context, p *lesson.Page) error { return errors.New("it broke") }},
		}
	}
	echo := cli.Verb{
		Name: "echo",
		Args: "WORD...",
		Help: "print the words\n\nWith -n, no newline; -status exits with that status.",
		Setup: func(fs *flag.FlagSet) cli.Action {
			n := fs.Bool("n", false, "no newline")
			status := fs.Int("status", 0, "exit with status `N`")
			return func(_ context.Context, s cli.Streams, args []string) error {
				if len(args) == 0 {
					return cli.Usagef("echo needs a WORD")
				}
				s.Stdout.Write([]byte(strings.Join(args, " ")))
				if !*n {
					s.Stdout.Write([]byte("\n"))
				}
				if *status != 0 {
					return cli.Exit(*status)
				}
				return nil
			}
		},
	}
	return &cli.Command{Name: "lab", Doc: "A test lab.", Verbs: append([]cli.Verb{echo}, cli.LessonVerbs("test", lessons, nil)...), Footer: "Exit status: see above."}
}

func run(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = lab().Run(context.Background(), args, cli.Streams{Stdout: &o, Stderr: &e})
	return code, o.String(), e.String()
}

func TestHelpIsTheSameEveryWay(t *testing.T) {
	_, want, _ := run("help")
	for _, args := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"-no-color", "help"}} {
		code, out, errs := run(args...)
		if code != 0 || out != want || errs != "" {
			t.Errorf("lab %q: exit %d, stdout %q, stderr %q; want 0 and the help of 'lab help'", args, code, out, errs)
		}
	}
	for _, s := range []string{"usage: lab [-no-color] VERB", "A test lab.", "  echo [-n] [-status N] WORD...\n        print the words\n", "lesson [-no-color] ID", "Exit status: see above."} {
		if !strings.Contains(want, s) {
			t.Errorf("the help lacks %q:\n%s", s, want)
		}
	}
	if strings.Contains(want, "With -n") {
		t.Errorf("the command's help shows only a verb's first paragraph:\n%s", want)
	}
}

func TestVerbHelpIsTheSameEveryWay(t *testing.T) {
	_, want, _ := run("help", "echo")
	for _, args := range [][]string{{"echo", "-h"}, {"echo", "--help"}, {"echo", "-help"}, {"echo", "-n", "-h", "x"}} {
		code, out, errs := run(args...)
		if code != 0 || out != want || errs != "" {
			t.Errorf("lab %q: exit %d, stdout %q, stderr %q; want 0 and the help of 'lab help echo'", args, code, out, errs)
		}
	}
	for _, s := range []string{"usage: lab echo [-n] [-status N] WORD...", "With -n, no newline", "Flags:", "-status N", "exit with status N"} {
		if !strings.Contains(want, s) {
			t.Errorf("the verb's help lacks %q:\n%s", s, want)
		}
	}
}

func TestUsageErrorsExit2AndNameTheProblem(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "lab: usage: no verb given (echo, lessons, lesson, list)\nlab: run 'lab help' for help\n"},
		{[]string{"dance"}, `lab: usage: unknown verb "dance"`},
		{[]string{"help", "dance"}, `lab: usage: no verb "dance" to help with`},
		{[]string{"-x", "echo"}, "lab: usage: flag -x before the verb"},
		{[]string{"echo", "-bogus", "hi"}, "lab: usage: echo: flag provided but not defined: -bogus\nlab: run 'lab help echo' for help\n"},
		{[]string{"echo"}, "lab: usage: echo needs a WORD\n"},
		{[]string{"lesson"}, "lab: usage: lesson takes one lesson ID"},
		{[]string{"lesson", "three"}, `lab: usage: no lesson "three" (see list)`},
		{[]string{"list", "extra"}, "lab: usage: list takes no arguments"},
	} {
		code, out, errs := run(c.args...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("lab %q: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, out, errs, c.want)
		}
	}
}

func TestVerbsRun(t *testing.T) {
	if code, out, _ := run("echo", "-n", "a", "b"); code != 0 || out != "a b" {
		t.Errorf("echo -n a b: exit %d, %q", code, out)
	}
	if code, out, errs := run("echo", "-status", "3", "x"); code != 3 || out != "x\n" || errs != "" {
		t.Errorf("echo -status 3: exit %d, stdout %q, stderr %q; want 3 with nothing on stderr", code, out, errs)
	}
	if code, out, _ := run("list"); code != 0 || !strings.Contains(out, "defer-basics") || !strings.Contains(out, "The second") {
		t.Errorf("list: exit %d, %q", code, out)
	}
	if code, out, _ := run("-no-color", "lesson", "defer-basics"); code != 0 || !strings.Contains(out, "first body") || strings.Contains(out, "\x1b[") {
		t.Errorf("lesson defer-basics: exit %d, %q", code, out)
	}
	if code, _, errs := run("lesson", "io-readerat"); code != 1 || !strings.Contains(errs, "lab: ") || !strings.Contains(errs, "it broke") {
		t.Errorf("a failing lesson: exit %d, stderr %q; want 1 and its error", code, errs)
	}
}
