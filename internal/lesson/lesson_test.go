package lesson_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deferio/deferio/internal/lesson"
)

// fake returns a lesson that uses the notes section of defer-basics and
// records whether it ran.
func fake(ran *bool) lesson.Lesson {
	return lesson.Lesson{
		ID: "defer-basics", Topic: "defer", Title: "A fake lesson",
		Run: func(ctx context.Context, p *lesson.Page) error {
			*ran = true
			p.Code("main.go", "package main\n\nfunc main() {}\n")
			p.Output("go run main.go", "")
			return nil
		},
	}
}

func TestRunPrintsHeadingCodeOutputAndNotes(t *testing.T) {
	var ran bool
	var buf bytes.Buffer
	require.NoError(t, lesson.Run(context.Background(), &buf, fake(&ran), lesson.Options{}))
	out := buf.String()
	assert.True(t, ran)
	iTitle := strings.Index(out, "A fake lesson")
	iCode := strings.Index(out, "│ 3 func main() {}")
	iOut := strings.Index(out, "$ go run main.go\n(no output)")
	iNotes := strings.Index(out, "Last in, first out.")
	for name, i := range map[string]int{"title": iTitle, "code": iCode, "output": iOut, "notes": iNotes} {
		assert.GreaterOrEqual(t, i, 0, "%s missing from:\n%s", name, out)
	}
	assert.Less(t, iTitle, iCode)
	assert.Less(t, iCode, iOut)
	assert.Less(t, iOut, iNotes)
	assert.NotContains(t, out, "\x1b[", "colour off must write no escape sequences")
	assert.NotContains(t, out, "**", "bold markers are rendered, not printed")
	assert.NotContains(t, out, "<!--", "lesson markers are not printed")
}

func TestRunColor(t *testing.T) {
	var ran bool
	var buf bytes.Buffer
	require.NoError(t, lesson.Run(context.Background(), &buf, fake(&ran), lesson.Options{Color: true}))
	assert.Contains(t, buf.String(), "\x1b[1m")
}

func TestNeedsRootWithoutRootDoesNotRun(t *testing.T) {
	var ran bool
	l := fake(&ran)
	l.NeedsRoot = true
	notRoot := false
	var buf bytes.Buffer
	require.NoError(t, lesson.Run(context.Background(), &buf, l, lesson.Options{IsRoot: &notRoot}))
	assert.False(t, ran, "a root lesson must not run without root")
	assert.Contains(t, buf.String(), "needs root")
	assert.Contains(t, buf.String(), "Last in, first out.", "it still says what it would show")
}

func TestRunErrors(t *testing.T) {
	var buf bytes.Buffer
	l := lesson.Lesson{ID: "no-such-lesson", Topic: "x", Title: "x",
		Run: func(context.Context, *lesson.Page) error { return nil }}
	err := lesson.Run(context.Background(), &buf, l, lesson.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no notes section for lesson "no-such-lesson"`)

	boom := errors.New("boom")
	var ran bool
	l = fake(&ran)
	l.Run = func(context.Context, *lesson.Page) error { return boom }
	err = lesson.Run(context.Background(), &buf, l, lesson.Options{})
	assert.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "lesson defer-basics")
}

func TestValidate(t *testing.T) {
	var ran bool
	require.NoError(t, fake(&ran).Validate())
	err := lesson.Lesson{ID: "Bad ID"}.Validate()
	require.Error(t, err)
	for _, want := range []string{"is not lower-case words", "has no title", "has no topic", "has no Run function", "no notes section"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestFindAndList(t *testing.T) {
	var ran bool
	all := []lesson.Lesson{fake(&ran)}
	_, err := lesson.Find(all, "nope")
	assert.ErrorContains(t, err, `no lesson "nope"`)
	l, err := lesson.Find(all, "defer-basics")
	require.NoError(t, err)
	assert.Equal(t, "A fake lesson", l.Title)
	var buf bytes.Buffer
	require.NoError(t, lesson.List(&buf, all))
	assert.Equal(t, "defer-basics  defer      A fake lesson\n", buf.String())
}

func TestRunAllStopsOnCancel(t *testing.T) {
	var ran bool
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := lesson.RunAll(ctx, &bytes.Buffer{}, []lesson.Lesson{fake(&ran)}, lesson.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, ran)
}

type failWriter struct{ n int }

func (w *failWriter) Write(b []byte) (int, error) {
	if w.n--; w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(b), nil
}

func TestWriteErrorIsReported(t *testing.T) {
	var ran bool
	err := lesson.Run(context.Background(), &failWriter{n: 3}, fake(&ran), lesson.Options{})
	assert.ErrorContains(t, err, "disk full")
}
