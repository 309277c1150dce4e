// Package introlessons holds the tour's first lesson: the four rules of
// defer that every Go programmer meets first. The programs it shows are
// compiled and run with the real Go toolchain each time the lesson runs.
package introlessons

import (
	"context"
	"embed"
	"fmt"
	"strings"

	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/lesson"
)

//go:embed testdata/programs/*.go
var programs embed.FS

// Lessons returns the introductory lessons in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{{
		ID:    "defer-basics",
		Topic: "defer",
		Title: "defer runs last-in first-out",
		Run:   runBasics,
	}}
}

// A step is one program of a lesson, compiled with the given language
// version in its go.mod.
type step struct {
	file      string
	goVersion string
	intro     string
}

var basics = []step{
	{"lifo.go", "1.26", "Three defers, pushed in a loop: they run in reverse order when main returns."},
	{"args.go", "1.26", "The argument x is evaluated when the defer statement runs, not when the call does."},
	{"closure.go", "1.26", "A deferred closure captures the variable itself, so it sees the later assignment."},
	{"loopvar.go", "1.26", "Since Go 1.22 each iteration of a for loop has its own i, and each closure sees its own."},
	{"loopvar.go", "1.21", "The same file in a module that says `go 1.21`: one i shared by every iteration."},
}

func runBasics(ctx context.Context, p *lesson.Page) error {
	for _, s := range basics {
		if err := runStep(ctx, p, s); err != nil {
			return err
		}
	}
	return nil
}

func runStep(ctx context.Context, p *lesson.Page, s step) error {
	src, err := programs.ReadFile("testdata/programs/" + s.file)
	if err != nil {
		return fmt.Errorf("unable to read program %s: %w", s.file, err)
	}
	p.Heading(fmt.Sprintf("%s (go %s)", s.file, s.goVersion))
	p.Text(s.intro)
	p.Code(s.file, string(src))
	res, err := gorun.RunVersion(ctx, src, s.goVersion)
	if err != nil {
		return fmt.Errorf("unable to run %s: %w", s.file, err)
	}
	out := res.Stdout
	if res.Stderr != "" {
		out += res.Stderr
	}
	if res.ExitCode != 0 {
		out += fmt.Sprintf("exit status %d\n", res.ExitCode)
	}
	p.Output(fmt.Sprintf("go run %s   # go.mod says go %s", s.file, s.goVersion), strings.TrimRight(out, "\n"))
	return nil
}
