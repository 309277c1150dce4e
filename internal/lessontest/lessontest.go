// Package lessontest checks lessons in tests: that they are valid and that
// what they print matches a golden file.
package lessontest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/deferio/deferio/internal/lesson"
)

var update = flag.Bool("update", false, "rewrite the lessons' golden files with what they print now")

// Output runs l without colour, as root when the test runs as root, and
// returns what it printed. It fails the test when l is not valid or fails.
func Output(t testing.TB, l lesson.Lesson) string {
	t.Helper()
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := lesson.Run(context.Background(), &buf, l, lesson.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// Golden runs l and compares its output with testdata/<ID>.golden. With
// -update it writes the file instead. Use it for lessons whose output is
// deterministic; normalize, if given, rewrites parts that are not (such as
// PIDs) before the comparison.
func Golden(t *testing.T, l lesson.Lesson, normalize ...func(string) string) {
	t.Helper()
	got := Output(t, l)
	for _, n := range normalize {
		got = n(got)
	}
	Compare(t, got, filepath.Join("testdata", l.ID+".golden"))
}

// Compare checks got against the golden file at path, and fails the test
// with both texts when they differ. With -update it writes got to path
// (creating its folder) instead.
func Compare(t *testing.T, got, path string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("unable to read the golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("the output differs from %s (go test -update rewrites it after review):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
