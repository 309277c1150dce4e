package agreement_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/strategy/agreement"
)

func TestCommand(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod": "module example.com/c\n\ngo 1.26\n",
		"c.go":   "package c\n\nfunc F(xs []int) {\n\tdefer println()\n\tfor range xs {\n\t\tdefer println()\n\t}\n}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr strings.Builder
	code := agreement.Command(context.Background(), []string{"-C", dir, "./..."}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.HasSuffix(stdout.String(), "agreement: 2/2 defers\n") {
		t.Errorf("report:\n%s", stdout.String())
	}
}

func TestCommandBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown flag", []string{"-nosuch", "./..."}, 2, "flag provided but not defined: -nosuch"},
		{"no pattern", nil, 2, "no package pattern given"},
		{"flag as pattern", []string{"--", "-x"}, 1, `"-x" is not a package pattern`},
		{"does not build", []string{"-C", brokenModule(t), "./..."}, 1, "undefined: nosuch"},
		{"no such dir", []string{"-C", "/nonexistent/deferio", "./..."}, 1, `unable to use directory "/nonexistent/deferio"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := agreement.Command(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.msg) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, tc.code, stderr.String(), tc.msg)
			}
		})
	}
}

func brokenModule(t *testing.T) string {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod": "module example.com/b\n\ngo 1.26\n",
		"b.go":   "package b\n\nfunc F() { defer nosuch() }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
