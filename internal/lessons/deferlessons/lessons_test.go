package deferlessons_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/realtrace"
	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/deferlessons"
	"github.com/deferio/deferio/internal/lessontest"
	"github.com/deferio/deferio/internal/testenv"
)

// TestLessonGolden runs every lesson (each compiles and runs its programs
// with the real toolchain and on the model) and compares what it printed
// with testdata/golden/ID.txt. The output is deterministic: crash reports
// are cut before their stack traces.
func TestLessonGolden(t *testing.T) {
	testenv.NeedGo(t)
	ls := deferlessons.Lessons()
	if len(ls) == 0 {
		t.Fatal("no lessons")
	}
	for _, l := range ls {
		t.Run(l.ID, func(t *testing.T) {
			if err := l.Validate(); err != nil {
				t.Fatal(err)
			}
			if l.Topic != "defer" || !strings.HasPrefix(l.ID, "defer-") {
				t.Errorf("lesson %s: topic %q, want defer and an ID starting with defer-", l.ID, l.Topic)
			}
			var buf bytes.Buffer
			err := lesson.Run(context.Background(), &buf, l, lesson.Options{})
			if errors.Is(err, realtrace.ErrUnavailable) {
				testenv.Need(t, "ptrace", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if strings.Contains(out, "disagree") {
				t.Errorf("the lesson reports that the model and the toolchain disagree:\n%s", out)
			}
			lessontest.Compare(t, out, filepath.Join("testdata", "golden", l.ID+".txt"))
		})
	}
}
