package notes

import (
	"strings"
	"testing"
)

func TestSection(t *testing.T) {
	text := "# Title\n\nintro\n\n<!-- lesson: a-one -->\n## First\n\nbody one\n### sub\nmore\n\n<!-- lesson: a-two -->\n## Second\nbody two\n## Not a lesson\nafter\n"
	for id, want := range map[string]string{
		"a-one": "body one\n### sub\nmore\n",
		"a-two": "body two\n",
	} {
		got, ok := section(text, id)
		if !ok || got != want {
			t.Errorf("section(%q) = %q, %v; want %q", id, got, ok, want)
		}
	}
	if _, ok := section(text, "a-three"); ok {
		t.Error("found a section that is not there")
	}
}

func TestLessonMissing(t *testing.T) {
	_, err := Lesson("no-such-lesson")
	if err == nil || !strings.Contains(err.Error(), `<!-- lesson: no-such-lesson -->`) {
		t.Fatalf("error should say how to add the section, got %v", err)
	}
}

func TestFileMissing(t *testing.T) {
	if _, err := File("nope.md"); err == nil || !strings.Contains(err.Error(), "defer-basics.md") {
		t.Fatalf("error should list the files there are, got %v", err)
	}
}

func TestLessonIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, id := range Lessons() {
		if seen[id] {
			t.Errorf("lesson %q has two sections in notes/", id)
		}
		seen[id] = true
	}
	if !seen["defer-basics"] {
		t.Error("defer-basics section not found")
	}
}

func TestEverySectionHasAHeading(t *testing.T) {
	for _, name := range Files() {
		text, _ := File(name)
		lines := strings.Split(text, "\n")
		for i, l := range lines {
			if _, ok := markerID(l); !ok {
				continue
			}
			if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "## ") {
				t.Errorf("%s:%d: a lesson marker must be followed by a '## ' heading", name, i+1)
			}
		}
	}
}
