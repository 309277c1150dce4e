// Package clitest checks that a command built on package cli answers
// its help and its usage errors the way every deferio command does.
package clitest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/cli"
)

// Run runs c with args and returns its exit status and what it wrote.
func Run(c *cli.Command, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = c.Run(context.Background(), args, cli.Streams{Stdin: strings.NewReader(""), Stdout: &o, Stderr: &e})
	return code, o.String(), e.String()
}

// HelpForms checks the four ways to ask c for help, and that what is not
// a verb or a flag is a usage error that names it:
//
//   - "-h", "--help" and "help" print the same help on stdout and exit 0;
//   - "help VERB" prints VERB's usage for each verb and exits 0;
//   - "help NOSUCH", an unknown verb and an unknown flag of a verb exit 2
//     and name the word on stderr, after "CMD: usage: ".
func HelpForms(t *testing.T, c *cli.Command) {
	t.Helper()
	_, want, _ := Run(c, "help")
	if !strings.HasPrefix(want, "usage: "+c.Name+" ") {
		t.Errorf("%s help: %q does not start with the usage line", c.Name, want)
	}
	for _, arg := range []string{"-h", "--help", "help"} {
		if code, out, errs := Run(c, arg); code != 0 || out != want || errs != "" {
			t.Errorf("%s %s: exit %d, stdout %q, stderr %q; want 0 and the help on stdout", c.Name, arg, code, out, errs)
		}
	}
	flagged := ""
	for _, v := range c.Verbs {
		code, out, errs := Run(c, "help", v.Name)
		if code != 0 || !strings.HasPrefix(out, "usage: "+c.Name+" "+v.Name) || errs != "" {
			t.Errorf("%s help %s: exit %d, stdout %q, stderr %q; want 0 and the verb's usage", c.Name, v.Name, code, out, errs)
		}
		if !v.Raw && flagged == "" {
			flagged = v.Name
		}
	}
	bad := [][]string{{"help", "no-such-verb"}, {"no-such-verb"}}
	if flagged != "" {
		bad = append(bad, []string{flagged, "-no-such-flag"})
	}
	for _, args := range bad {
		word := args[len(args)-1]
		code, out, errs := Run(c, args...)
		if code != 2 || out != "" || !strings.HasPrefix(errs, c.Name+": usage: ") || !strings.Contains(errs, word) {
			t.Errorf("%s %q: exit %d, stdout %q, stderr %q; want 2 and a usage error naming %s", c.Name, args, code, out, errs, word)
		}
	}
}
