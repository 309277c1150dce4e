package cgrouplessons_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/cgrouplessons"
	"github.com/deferio/deferio/internal/lessontest"
	"github.com/deferio/deferio/internal/testenv"
)

func TestLessonsAreValid(t *testing.T) {
	for _, l := range cgrouplessons.Lessons() {
		if err := l.Validate(); err != nil {
			t.Error(err)
		}
		if !l.NeedsRoot || l.Topic != "container" {
			t.Errorf("%s: NeedsRoot %v topic %q, want true and container", l.ID, l.NeedsRoot, l.Topic)
		}
	}
}

// Without root the runner prints the notes and does not run the lesson.
func TestWithoutRootPrintsNotes(t *testing.T) {
	no := false
	var buf bytes.Buffer
	l := cgrouplessons.Lessons()[0]
	if err := lesson.Run(context.Background(), &buf, l, lesson.Options{IsRoot: &no}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "needs root") || !strings.Contains(buf.String(), "TestFreezeStopsCounter") {
		t.Errorf("non-root output lacks the notice or the notes:\n%s", buf.String())
	}
}

// The numbers differ from run to run (counts, pids), so the test checks
// the lines that carry the lesson rather than a golden file.
func TestFreezeLesson(t *testing.T) {
	testenv.NeedRoot(t, "runs the cgroup lessons")
	out := lessontest.Output(t, cgrouplessons.Lessons()[0])
	for _, re := range []string{
		`(?m)^\s+\d+:memory:/deferio-lesson-XXXXXXXX/counter$`,
		`(?m)^\s+0::/deferio-lesson-XXXXXXXX/counter$`,
		`running\)\n\s+\d+ -> \d+ \(moved: true\)`,
		`state FROZEN\n\s+(\d+) -> (\d+) \(moved: false\)`,
		`state THAWED\n\s+\d+ -> \d+ \(moved: true\)`,
		`A cgroup freezes a counting process`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("freeze lesson output lacks %s:\n%s", re, out)
		}
	}
	m := regexp.MustCompile(`state FROZEN\n\s+(\d+) -> (\d+)`).FindStringSubmatch(out)
	if m != nil && m[1] != m[2] {
		t.Errorf("frozen counter moved: %s -> %s", m[1], m[2])
	}
}

func TestOOMLesson(t *testing.T) {
	testenv.NeedRoot(t, "runs the cgroup lessons")
	out := lessontest.Output(t, cgrouplessons.Lessons()[1])
	for _, re := range []string{
		`Memory.Limit = 33554432 bytes \(32 MiB\)`,
		`holding \d+ MiB\n\s+exit: signal: killed`,
		`OOM event received`,
		`OOMKills [1-9]`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("OOM lesson output lacks %s:\n%s", re, out)
		}
	}
	if regexp.MustCompile(`(?m)^  never killed\?$`).MatchString(out) {
		t.Errorf("the hog was not killed:\n%s", out)
	}
}
