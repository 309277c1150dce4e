package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const recorded = "../../report/testdata/defer-count3.txt"

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"a", "b"},
		{"-nope", recorded},
		{"-topic", "io", recorded},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 2 {
			t.Errorf("benchreport %q: exit %d, want 2 (stderr %q)", args, code, stderr.String())
		}
		if !strings.HasPrefix(stderr.String(), "benchreport: ") && !strings.Contains(stderr.String(), "flag provided but not defined") {
			t.Errorf("benchreport %q: stderr %q does not say what was wrong", args, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, nil, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "Usage: benchreport") {
		t.Errorf("-h: exit %d, %q", code, stderr.String())
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", out, "missing.txt"}, nil, &stdout, &stderr); code != 1 {
		t.Errorf("missing file: exit %d", code)
	}
	if code := run([]string{"-out", out, "-"}, strings.NewReader("PASS\n"), &stdout, &stderr); code != 1 {
		t.Errorf("no results: exit %d", code)
	}
	if !strings.Contains(stderr.String(), "no benchmark results") {
		t.Errorf("stderr %q", stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the output folder was created for bad input: %v", err)
	}
}

func TestReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bench")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", out, recorded}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "x direct") || !strings.Contains(stdout.String(), "heap-loop") {
		t.Errorf("the table was not printed:\n%s", stdout.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| `open-coded` | open-coded |") {
		t.Errorf("report.md has no open-coded row")
	}
	f, err := os.Open(filepath.Join(out, "chart.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("chart.png: %v", err)
	}
	svg, err := os.ReadFile(filepath.Join(out, "chart.svg"))
	if err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("chart.svg: %v", err)
	}
	// -q prints nothing; "-" reads standard input.
	raw, err := os.ReadFile(recorded)
	if err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := run([]string{"-q", "-out", out, "-"}, bytes.NewReader(raw), &stdout, &stderr); code != 0 || stdout.Len() != 0 {
		t.Errorf("-q from stdin: exit %d, printed %q", code, stdout.String())
	}
}
