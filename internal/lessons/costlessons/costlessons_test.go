package costlessons_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/cost"
	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/costlessons"
	"github.com/deferio/deferio/internal/lessontest"
	"github.com/deferio/deferio/internal/testenv"
)

func runLesson(t *testing.T, id string) string {
	t.Helper()
	l, err := lesson.Find(costlessons.Lessons(), id)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	if l.Topic != "defer" || !strings.HasPrefix(l.ID, "defer-cost-") {
		t.Errorf("lesson %s: topic %q, want defer and an ID starting with defer-cost-", l.ID, l.Topic)
	}
	var buf bytes.Buffer
	if err := lesson.Run(context.Background(), &buf, l, lesson.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestLessonsValid(t *testing.T) {
	ls := costlessons.Lessons()
	if len(ls) != 3 {
		t.Fatalf("%d lessons", len(ls))
	}
	for _, l := range ls {
		if err := l.Validate(); err != nil {
			t.Error(err)
		}
	}
}

// TestLessonGolden runs the two deterministic lessons (they compile the
// kernels with the real compiler) and compares them with testdata/golden.
func TestLessonGolden(t *testing.T) {
	testenv.NeedGo(t)
	for _, id := range []string{"defer-cost-kernels", "defer-cost-race"} {
		t.Run(id, func(t *testing.T) {
			out := runLesson(t, id)
			lessontest.Compare(t, out, filepath.Join("testdata", "golden", id+".txt"))
		})
	}
}

func TestKernelsLessonSaysEveryKernelMatches(t *testing.T) {
	testenv.NeedGo(t)
	out := runLesson(t, "defer-cost-kernels")
	if strings.Contains(out, "MISMATCH") || !strings.Contains(out, "get the strategy their kernel claims") {
		t.Errorf("the lesson reports a mismatch:\n%s", out)
	}
	for _, k := range cost.Kernels() {
		line := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(k.Name) + ` .*$`).FindString(out)
		if line == "" {
			t.Errorf("no line for kernel %s", k.Name)
			continue
		}
		f := strings.Fields(line)
		if want := string(k.Strategy); f[3] != want || !strings.Contains(f[len(f)-1], strings.TrimPrefix(want, "direct")) {
			t.Errorf("kernel %s: %q", k.Name, line)
		}
	}
}

func TestRaceLesson(t *testing.T) {
	testenv.NeedGo(t)
	out := runLesson(t, "defer-cost-race")
	for _, want := range []string{
		`(?m)^  open-coded +open-coded +stack-allocated$`,
		`(?m)^  open-coded-8 +8 x open-coded +8 x stack-allocated$`,
		`(?m)^  heap-loop +heap-allocated +heap-allocated$`,
		`With -race: 0 of \d+ defer statements open-coded`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("the lesson lacks %s:\n%s", want, out)
		}
	}
}

// TestLiveLesson checks what the live lesson printed, not how fast
// anything was: a row per kernel with a positive time, direct at 1.00x,
// and the allocations that do not depend on timing.
func TestLiveLesson(t *testing.T) {
	out := runLesson(t, "defer-cost-live")
	if testing.Verbose() {
		t.Log(out)
	}
	rows := map[string][]string{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 6 && strings.HasSuffix(f[3], "x") {
			rows[f[0]] = f
		}
	}
	for _, k := range cost.Kernels() {
		f, ok := rows[k.Name]
		if !ok {
			t.Errorf("no row for kernel %s in:\n%s", k.Name, out)
			continue
		}
		if f[1] != string(k.Strategy) {
			t.Errorf("%s: strategy %s", k.Name, f[1])
		}
		if ns, err := strconv.ParseFloat(f[2], 64); err != nil || ns <= 0 {
			t.Errorf("%s: ns/op %q", k.Name, f[2])
		}
	}
	if f := rows["direct"]; f == nil || f[3] != "1.00x" || f[4] != "-" {
		t.Errorf("direct row: %q", f)
	}
	if f := rows["heap-loop-args"]; f == nil || f[5] != "1" {
		t.Errorf("heap-loop-args should allocate its closure once per op: %q", f)
	}
	if f := rows["open-coded"]; f == nil || f[5] != "0" {
		t.Errorf("open-coded should not allocate: %q", f)
	}
	if !strings.Contains(out, "make bench") {
		t.Error("the lesson does not point to make bench")
	}
}
