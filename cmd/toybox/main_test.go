package main

import (
	"slices"
	"testing"
)

func TestSplitWords(t *testing.T) {
	cases := map[string][]string{
		"echo a  b":            {"echo", "a", "b"},
		"echo 'a b' c":         {"echo", "a b", "c"},
		"  ":                   nil,
		"write /x ''":          {"write", "/x", ""},
		"echo it''s":           {"echo", "its"},
		"sh -c 'hostname; id'": {"sh", "-c", "hostname; id"},
	}
	for in, want := range cases {
		if got := splitWords(in); !slices.Equal(got, want) {
			t.Errorf("splitWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeCaps(t *testing.T) {
	if got := decodeCaps("0000000020000420"); got != "kill,net_bind_service,audit_write" {
		t.Errorf("decodeCaps = %q", got)
	}
	if got := decodeCaps("0"); got != "(none)" {
		t.Errorf("decodeCaps(0) = %q", got)
	}
	if got := decodeCaps("zz"); got != "?" {
		t.Errorf("decodeCaps(zz) = %q", got)
	}
}

func TestRunDispatch(t *testing.T) {
	if code := run([]string{"/bin/true"}); code != 0 {
		t.Errorf("true: %d", code)
	}
	if code := run([]string{"false"}); code != 1 {
		t.Errorf("false: %d", code)
	}
	if code := run([]string{"toybox", "false"}); code != 1 {
		t.Errorf("toybox false: %d", code)
	}
	if code := run([]string{"toybox", "nope"}); code != 127 {
		t.Errorf("unknown applet: %d, want 127", code)
	}
	if code := run([]string{"toybox"}); code != 2 {
		t.Errorf("no applet: %d, want 2", code)
	}
	if code := run([]string{"sleep", "soon"}); code != 2 {
		t.Errorf("sleep soon: %d, want 2", code)
	}
	if code := run([]string{"hog", "-1"}); code != 2 {
		t.Errorf("hog -1: %d, want 2", code)
	}
	for _, args := range [][]string{{"toybox", "-h"}, {"toybox", "--help"}, {"toybox", "help"}, {"toybox", "help", "echo"}} {
		if code := run(args); code != 0 {
			t.Errorf("%q: %d, want 0", args, code)
		}
	}
	if code := run([]string{"toybox", "help", "nope"}); code != 2 {
		t.Errorf("help nope: %d, want 2", code)
	}
}
