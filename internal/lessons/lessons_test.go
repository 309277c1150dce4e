package lessons_test

import (
	"testing"

	"github.com/deferio/deferio/internal/lessons"
	"github.com/deferio/deferio/notes"
)

func TestEveryLessonIsValidAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range lessons.All() {
		if err := l.Validate(); err != nil {
			t.Error(err)
		}
		if seen[l.ID] {
			t.Errorf("two lessons have the ID %q", l.ID)
		}
		seen[l.ID] = true
	}
	if len(seen) == 0 {
		t.Fatal("no lessons")
	}
}

// A notes section that no lesson uses is text the tour never prints.
func TestEveryNotesSectionHasALesson(t *testing.T) {
	have := map[string]bool{}
	for _, l := range lessons.All() {
		have[l.ID] = true
	}
	for _, id := range notes.Lessons() {
		if !have[id] {
			t.Errorf("notes/ has a section for lesson %q, but no lesson has that ID", id)
		}
	}
}

func TestTopic(t *testing.T) {
	ds := lessons.Topic("defer")
	if len(ds) == 0 {
		t.Fatal("no defer lessons")
	}
	for _, l := range ds {
		if l.Topic != "defer" {
			t.Errorf("Topic(defer) returned %s of topic %s", l.ID, l.Topic)
		}
	}
	if got := lessons.Topic("nonsense"); len(got) != 0 {
		t.Errorf("Topic(nonsense) = %d lessons", len(got))
	}
}
