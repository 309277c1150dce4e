package prooflessons_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/lessons/prooflessons"
	"github.com/deferio/deferio/internal/lessontest"
)

func TestProofLesson(t *testing.T) {
	l := prooflessons.Lessons()[0]
	out := lessontest.Output(t, l)
	for _, want := range []string{
		fmt.Sprintf("seed-%d.go", prooflessons.ShownSeed),
		"real program: stdout",
		"model: stdout",
		"divergences: ",
		"of 24 programs",
		"inlined.go",
		// the inliner makes the closure's goto a loop of main, and the
		// model follows the inliner
		"defer at 16:2   compiler: heap-allocated   model: heap-allocated",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the lesson's output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "verdict: "); n != 2 {
		t.Errorf("want a verdict for each of the two programs shown, got %d", n)
	}
}
