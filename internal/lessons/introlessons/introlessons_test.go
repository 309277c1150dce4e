package introlessons_test

import (
	"testing"

	"github.com/deferio/deferio/internal/lessons/introlessons"
	"github.com/deferio/deferio/internal/lessontest"
)

func TestLessonGolden(t *testing.T) {
	for _, l := range introlessons.Lessons() {
		t.Run(l.ID, func(t *testing.T) { lessontest.Golden(t, l) })
	}
}
