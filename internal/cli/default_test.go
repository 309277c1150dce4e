package cli_test

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/cli/clitest"
)

// defaultLab is lab with echo as its Default verb, taking a first word
// "word", and a Raw verb.
func defaultLab() *cli.Command {
	c := lab()
	c.Default = "echo"
	c.DefaultFor = func(w string) bool { return w == "word" }
	c.Verbs = append(c.Verbs, cli.Verb{
		Name: "raw",
		Args: "ARGS...",
		Help: "print the arguments as they came",
		Raw:  true,
		Setup: func(fs *flag.FlagSet) cli.Action {
			fs.Bool("shown", false, "a flag the help shows")
			return func(_ context.Context, s cli.Streams, args []string) error {
				_, err := s.Stdout.Write([]byte(strings.Join(args, " ")))
				return err
			}
		},
	})
	return c
}

func TestDefaultVerb(t *testing.T) {
	c := defaultLab()
	for _, tt := range []struct {
		args         []string
		code         int
		stdout, errs string
	}{
		{nil, 2, "", "lab: usage: echo needs a WORD\nlab: run 'lab help echo' for help\n"},
		{[]string{"-n", "a"}, 0, "a", ""},
		{[]string{"-no-color", "-n", "a"}, 0, "a", ""},
		{[]string{"word", "x"}, 0, "word x\n", ""},
		{[]string{"echo", "x"}, 0, "x\n", ""},
		{[]string{"dance"}, 2, "", "lab: usage: unknown verb \"dance\" (echo, lessons, lesson, list, raw)\nlab: run 'lab help' for help\n"},
		{[]string{"-bogus"}, 2, "", "lab: usage: echo: flag provided but not defined: -bogus\nlab: run 'lab help echo' for help\n"},
	} {
		code, out, errs := clitest.Run(c, tt.args...)
		if code != tt.code || out != tt.stdout || errs != tt.errs {
			t.Errorf("lab %q: exit %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, code, out, errs, tt.code, tt.stdout, tt.errs)
		}
	}
	_, help, _ := clitest.Run(c, "help")
	for _, s := range []string{"usage: lab [-no-color] [VERB] [flags] [args]", "Without a verb, lab runs echo: 'lab ARGS' is 'lab echo ARGS'."} {
		if !strings.Contains(help, s) {
			t.Errorf("the help lacks %q:\n%s", s, help)
		}
	}
	if _, help, _ := clitest.Run(lab(), "help"); strings.Contains(help, "Without a verb") {
		t.Errorf("a command without Default says it has one:\n%s", help)
	}
}

func TestRawVerb(t *testing.T) {
	c := defaultLab()
	if code, out, errs := clitest.Run(c, "raw", "-x", "--", "help", "-h"); code != 0 || out != "-x -- help -h" || errs != "" {
		t.Errorf("raw: exit %d, stdout %q, stderr %q; want the arguments as they came", code, out, errs)
	}
	_, want, _ := clitest.Run(c, "help", "raw")
	if !strings.Contains(want, "usage: lab raw [-shown] ARGS...") || !strings.Contains(want, "a flag the help shows") {
		t.Errorf("help raw:\n%s", want)
	}
	for _, arg := range []string{"-h", "--help", "-help"} {
		if code, out, errs := clitest.Run(c, "raw", arg); code != 0 || out != want || errs != "" {
			t.Errorf("raw %s: exit %d, stdout %q, stderr %q; want the verb's help", arg, code, out, errs)
		}
	}
}

func TestLessonTakesSeveralIDs(t *testing.T) {
	var out bytes.Buffer
	code := lab().Run(context.Background(), []string{"-no-color", "lesson", "defer-basics", "defer-basics"}, cli.Streams{Stdout: &out, Stderr: &out})
	if code != 0 || strings.Count(out.String(), "first body") != 2 {
		t.Errorf("lesson defer-basics defer-basics: exit %d, %q; want the lesson twice", code, out.String())
	}
}

func TestHelpForms(t *testing.T) {
	clitest.HelpForms(t, lab())
	clitest.HelpForms(t, defaultLab())
}
