package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStrategiesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown flag", []string{"-nosuch", "./..."}, 2, "flag provided but not defined: -nosuch"},
		{"no pattern", nil, 2, "deferlab: usage: strategies: no package pattern given"},
		{"flag as pattern", []string{"--", "-x"}, 1, `"-x" is not a package pattern`},
		{"does not build", []string{"-C", brokenModule(t), "./..."}, 1, "undefined: nosuch"},
		{"no such dir", []string{"-C", "/nonexistent/deferio", "./..."}, 1, `unable to use directory "/nonexistent/deferio"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := deferlab(t, append([]string{"strategies"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, tc.code, stderr, tc.msg)
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
