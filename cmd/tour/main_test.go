package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runTour(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestList(t *testing.T) {
	code, out, _ := runTour("-list")
	if code != 0 || !strings.Contains(out, "defer-basics") {
		t.Fatalf("tour -list: exit %d, output %q", code, out)
	}
}

func TestRunOneLesson(t *testing.T) {
	code, out, errs := runTour("-no-color", "defer-basics")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"deferred: third\n  deferred: second\n  deferred: first", "deferred closure sees i = 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("-no-color output has escape sequences")
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{{"no-such-lesson"}, {"-bogus"}, {"-topic", "nonsense"}} {
		code, out, errs := runTour(args...)
		if code != 2 {
			t.Errorf("tour %v: exit %d, want 2", args, code)
		}
		if out != "" || !strings.HasPrefix(errs, "tour: ") && !strings.Contains(errs, "flag provided but not defined") {
			t.Errorf("tour %v: stdout %q, stderr %q", args, out, errs)
		}
	}
	_, want, _ := runTour("help")
	for _, arg := range []string{"-h", "-help", "--help", "help"} {
		if code, out, errs := runTour(arg); code != 0 || out != want || !strings.Contains(out, "usage: tour") || errs != "" {
			t.Errorf("tour %s: exit %d, stdout %q, stderr %q; want 0 and the help on stdout", arg, code, out, errs)
		}
	}
}
