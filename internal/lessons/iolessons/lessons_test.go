package iolessons_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/iolessons"
	"github.com/deferio/deferio/internal/lessontest"
)

// golden lists the lessons whose whole output is the same on every run.
var golden = map[string]bool{
	"io-contracts": true,
	"io-readerat":  true,
	"io-checkers":  true,
	"io-file":      true,
}

func runLesson(t *testing.T, id string) string {
	t.Helper()
	l, err := lesson.Find(iolessons.Lessons(), id)
	if err != nil {
		t.Fatal(err)
	}
	return lessontest.Output(t, l)
}

func TestLessonsValid(t *testing.T) {
	ls := iolessons.Lessons()
	if len(ls) == 0 {
		t.Fatal("no lessons")
	}
	for _, l := range ls {
		if err := l.Validate(); err != nil {
			t.Error(err)
		}
		if l.Topic != "io" || !strings.HasPrefix(l.ID, "io-") {
			t.Errorf("lesson %s has topic %q", l.ID, l.Topic)
		}
		if _, ok := golden[l.ID]; !ok && l.ID != "io-copy-paths" {
			t.Errorf("lesson %s is neither golden nor checked by its own test", l.ID)
		}
	}
}

func TestLessonGolden(t *testing.T) {
	for id := range golden {
		t.Run(id, func(t *testing.T) {
			got := runLesson(t, id)
			lessontest.Compare(t, got, filepath.Join("testdata", id+".golden"))
		})
	}
}

// The copy-paths lesson shows the path io.Copy takes, and, under strace,
// that a hiding wrapper turns copy_file_range into reads and writes.
func TestCopyPathsLesson(t *testing.T) {
	_, err := exec.LookPath("strace")
	haveStrace := err == nil
	if !haveStrace && os.Getenv("CI") == "true" {
		t.Fatal("strace is needed (Debian package strace) and CI=true makes its absence a failure")
	}
	out := runLesson(t, "io-copy-paths")
	for _, want := range []string{
		"src.WriteTo(…) = 2, <nil>\n    dst.Write(len=2) = 2, <nil>",
		"dst.ReadFrom(…) = 2, <nil>\n    src.Read(len=512) = 2, <nil>",
		"src.Read(len=32768) = 2, <nil>\n  dst.Write(len=2) = 2, <nil>",
		// *os.File to *os.File: WriteTo, then ReadFrom, and no Read at all.
		"src.WriteTo(…) = 100000, <nil>\n    dst.ReadFrom(…) = 100000, <nil>\n\n",
		// Hidden: ReadFrom falls back to 32 KiB reads.
		"dst.ReadFrom(…) = 100000, <nil>\n    src.Read(len=32768) = 32768, <nil>",
		"The counting reader still counted 100000 bytes.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the lesson does not show %q:\n%s", want, out)
		}
	}
	if !haveStrace {
		t.Skip("strace is not installed; the kernel part was not checked")
	}
	counts := map[string][3]int{}
	re := regexp.MustCompile(`(?m)^  (\w+) +\w+ copied 1048576 <nil>    copy_file_range with data: (\d+), read\(32 KiB\): (\d+), write\(32 KiB\): (\d+)$`)
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		a, _ := strconv.Atoi(m[2])
		b, _ := strconv.Atoi(m[3])
		c, _ := strconv.Atoi(m[4])
		counts[m[1]] = [3]int{a, b, c}
	}
	for _, way := range []string{"plain", "counting"} {
		if c := counts[way]; c[0] == 0 || c[1] != 0 || c[2] != 0 {
			t.Errorf("%s: copy_file_range, reads, writes = %v, want copy_file_range only", way, c)
		}
	}
	if c := counts["wrapped"]; c[0] != 0 || c[1] < 32 || c[2] != 32 {
		t.Errorf("wrapped: copy_file_range, reads, writes = %v, want 0 and 32 KiB reads and writes (32 of each for 1 MiB)", c)
	}
}
