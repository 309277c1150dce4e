package strategylessons_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/lessons/strategylessons"
	"github.com/deferio/deferio/internal/lessontest"
	"github.com/deferio/deferio/internal/testenv"
)

// tmpDir hides the temporary module's directory, the one part of the
// output that changes from run to run.
var tmpDir = regexp.MustCompile(`/[^ \n]*/deferio-prog-[0-9]+`)

// TestLessons runs every lesson (each compiles its program with the real
// toolchain) and compares what it printed with testdata/ID.golden
// (go test -update rewrites them), then checks the key lines.
func TestLessons(t *testing.T) {
	testenv.NeedGo(t)
	ls := strategylessons.Lessons()
	if len(ls) == 0 {
		t.Fatal("no lessons")
	}
	for _, l := range ls {
		t.Run(l.ID, func(t *testing.T) {
			if l.Topic != "defer" || !strings.HasPrefix(l.ID, "defer-") {
				t.Errorf("lesson %s: topic %q, want defer and an ID starting with defer-", l.ID, l.Topic)
			}
			lessontest.Golden(t, l, func(s string) string { return tmpDir.ReplaceAllString(s, "$$TMP") })
			out := lessontest.Output(t, l)
			for _, want := range []string{
				"./main.go:8:3: heap-allocated defer",
				"./main.go:28:2: open-coded defer",
				"main.go:8:3: heap-allocated defer: in a loop (loop depth 2)",
				"main.go:14:2: stack-allocated defer: the defer at line 16 of besideLoop is not stack-allocated",
				"main.go:34:2: heap-allocated defer: after a label that a later goto jumps back to",
				"main.go:42:2: stack-allocated defer: 4 returns x 4 defers = 16 > 15",
				"main.go:62:2: stack-allocated defer: the address of result err leaves the function",
				"./main.go:78:2: heap-allocated defer",
				"main.go:78:2: heap-allocated defer: after a label that a later goto jumps back to, in countdown, which the inliner puts here",
				"Model and compiler agree on 11 of 11 defers (the compiler printed 11 lines).",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("lesson output lacks %q", want)
				}
			}
		})
	}
}
