package execlessons_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/execlessons"
	"github.com/deferio/deferio/internal/lessontest"
	"github.com/deferio/deferio/internal/testenv"
)

// golden lists the lessons whose whole output is the same on every run.
var golden = map[string]bool{
	"exec-startprocess": true,
	"exec-stdio":        true,
	"exec-orphans":      true,
	"exec-lowlevel":     true,
}

func runLesson(t *testing.T, id string) string {
	t.Helper()
	l, err := lesson.Find(execlessons.Lessons(), id)
	if err != nil {
		t.Fatal(err)
	}
	return lessontest.Output(t, l)
}

func TestLessonsValid(t *testing.T) {
	ls := execlessons.Lessons()
	if len(ls) == 0 {
		t.Fatal("no lessons")
	}
	for _, l := range ls {
		if err := l.Validate(); err != nil {
			t.Error(err)
		}
		if l.Topic != "exec" || !strings.HasPrefix(l.ID, "exec-") {
			t.Errorf("lesson %s has topic %q", l.ID, l.Topic)
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

func TestCloneLesson(t *testing.T) {
	testenv.NeedCommand(t, "strace", "strace")
	out := runLesson(t, "exec-clone")
	for _, want := range []string{
		// Go: one clone sharing memory, suspended until the child execs.
		"clone(child_stack=NULL, flags=CLONE_VM|CLONE_PIDFD|CLONE_VFORK|SIGCHLD",
		`execve("/bin/true", ["/bin/true"]`,
		// bash: a real fork, no CLONE_VM.
		"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the lesson does not show %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "flags=") && strings.Contains(l, "CLONE_THREAD") {
			t.Errorf("a runtime thread was not filtered out: %s", l)
		}
	}
}

func TestStatusLesson(t *testing.T) {
	out := runLesson(t, "exec-status")
	for _, want := range []string{
		"exit code 0 ", "exit code 3 ", "exit code 44 ",
		"killed by SIGTERM ", "raw status 0x000f",
		"killed by SIGSEGV ", "raw status 0x0300",
		`not started: unable to run "no-such-program": no such program in PATH`,
		"rusage: user > 0 or system > 0: true; max RSS above 1 MiB: true",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the lesson does not show %q:\n%s", want, out)
		}
	}
}

func TestRunAll(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles every program")
	}
	var buf bytes.Buffer
	if err := lesson.RunAll(context.Background(), &buf, execlessons.Lessons(), lesson.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, l := range execlessons.Lessons() {
		if !strings.Contains(buf.String(), "["+l.ID+"]") {
			t.Errorf("RunAll did not print lesson %s", l.ID)
		}
	}
}

// exec-pid1 needs root (namespaces), so it is checked on its own.
func TestPID1Lesson(t *testing.T) {
	testenv.NeedRoot(t, "runs exec-pid1 in a new PID namespace")
	got := runLesson(t, "exec-pid1")
	lessontest.Compare(t, got, filepath.Join("testdata", "exec-pid1.golden"))
}
