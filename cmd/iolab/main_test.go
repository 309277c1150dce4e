package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runIolab(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "no verb given"},
		{[]string{"frobnicate"}, `unknown verb "frobnicate"`},
		{[]string{"copy", "a"}, "copy takes SRC and DST, got 1"},
		{[]string{"copy", "-wrap", "x", "a", "b"}, `-wrap "x" is not none, counting or hidden`},
		{[]string{"copy", "-nope", "a", "b"}, "flag provided but not defined: -nope"},
		{[]string{"check"}, "check takes one FILE, got 0"},
		{[]string{"check", "/"}, "/ is not a regular file"},
		{[]string{"lesson"}, "lesson takes one lesson ID"},
		{[]string{"lesson", "io-nope"}, `no lesson "io-nope"`},
		{[]string{"list", "extra"}, "list takes no arguments"},
	} {
		code, _, stderr := runIolab(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "iolab: usage: ") {
			t.Errorf("iolab %q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "help"} {
		code, out, _ := runIolab(t, arg)
		if code != 0 || !strings.Contains(out, "copy [-wrap WAY] SRC DST") || !strings.Contains(out, "check FILE") {
			t.Errorf("iolab %s: exit %d, output %q", arg, code, out)
		}
	}
}

func TestList(t *testing.T) {
	code, out, _ := runIolab(t, "list")
	if code != 0 || !strings.Contains(out, "io-copy-paths") || !strings.Contains(out, "io-file") {
		t.Fatalf("iolab list: exit %d, output %q", code, out)
	}
}

func TestLesson(t *testing.T) {
	code, out, stderr := runIolab(t, "lesson", "-no-color", "io-readerat")
	if code != 0 || !strings.Contains(out, "file offset afterwards: 3") || strings.Contains(out, "\x1b[") {
		t.Fatalf("iolab lesson io-readerat: exit %d, stderr %q, output %q", code, stderr, out)
	}
}

func TestCopy(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	data := bytes.Repeat([]byte("copy me\n"), 10000)
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for way, want := range map[string][]string{
		"none":     {"src.WriteTo(…) = 80000, <nil>", "  dst.ReadFrom(…) = 80000, <nil>"},
		"counting": {"src.WriteTo(…) = 80000, <nil>", "the counting reader counted 80000 bytes"},
		"hidden":   {"dst.ReadFrom(…) = 80000, <nil>", "  src.Read(len=32768) = 32768, <nil>", "  src.Read(len=32768) = 0, EOF"},
	} {
		dst := filepath.Join(dir, "dst-"+way)
		code, out, stderr := runIolab(t, "copy", "-wrap", way, src, dst)
		if code != 0 {
			t.Fatalf("copy -wrap %s: exit %d, %s", way, code, stderr)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("copy -wrap %s: output lacks %q:\n%s", way, w, out)
			}
		}
		if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, data) {
			t.Errorf("copy -wrap %s: the destination differs (%v)", way, err)
		}
	}
	code, _, stderr := runIolab(t, "copy", filepath.Join(dir, "missing"), filepath.Join(dir, "x"))
	if code != 1 || !strings.Contains(stderr, "unable to open the source") {
		t.Errorf("copy of a missing file: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("a failed copy created the destination")
	}
	// Onto itself, directly or through a symlink: refused, and the file
	// is left whole (creating the destination would truncate it).
	link := filepath.Join(dir, "link")
	if err := os.Symlink(src, link); err != nil {
		t.Fatal(err)
	}
	for _, dst := range []string{src, link} {
		code, _, stderr = runIolab(t, "copy", src, dst)
		if code != 2 || !strings.Contains(stderr, "is the source") {
			t.Errorf("copy %s onto %s: exit %d, %q; want a usage error", src, dst, code, stderr)
		}
		if got, err := os.ReadFile(src); err != nil || !bytes.Equal(got, data) {
			t.Errorf("copy onto itself changed the source: %d bytes, %v", len(got), err)
		}
	}
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte(strings.Repeat("check this file\n", 500)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runIolab(t, "check", path)
	if code != 0 || strings.Count(out, " ok\n") != 4 {
		t.Fatalf("iolab check: exit %d, stderr %q, output %q", code, stderr, out)
	}
}
