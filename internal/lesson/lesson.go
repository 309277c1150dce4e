// Package lesson runs deferio's lessons.
//
// A [Lesson] is an ID, a title, a topic and a function that runs it. Its
// explanation is not in the code: it is the section of a notes/ file marked
// with the lesson's ID (see package notes), so the tour, the labs and the
// Markdown notes print the same words.
//
// Running a lesson prints, in order: a heading, whatever the lesson's Run
// writes to its [Page] (the code it shows and the output that code really
// produced), and then the explanation from notes/.
package lesson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/deferio/deferio/notes"
)

// A Lesson is one runnable unit of teaching.
type Lesson struct {
	// ID names the lesson on the command line and in notes/. It is made
	// of lower-case letters, digits and dashes, and starts with its topic.
	ID string
	// Topic groups lessons: "defer", "io", "exec", "peer", "container".
	Topic string
	// Title is the heading printed above the lesson.
	Title string
	// NeedsRoot marks lessons that need root. When the process is not
	// root, the runner does not call Run; it prints why the lesson needs
	// root and what it would show (the notes text).
	NeedsRoot bool
	// Run shows the lesson's code and the output it really produces. It
	// returns an error only when the lesson itself could not be run (for
	// example, the Go toolchain is missing); a program that fails on
	// purpose is part of the lesson, not an error.
	Run func(ctx context.Context, p *Page) error
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Validate reports what is wrong with l, or nil. A lesson is valid when its
// ID is well formed, it has a title, a topic and a Run function, and notes/
// has a section for it.
func (l Lesson) Validate() error {
	var errs []error
	if !idPattern.MatchString(l.ID) {
		errs = append(errs, fmt.Errorf("lesson ID %q is not lower-case words joined by dashes", l.ID))
	}
	if l.Title == "" {
		errs = append(errs, fmt.Errorf("lesson %q has no title", l.ID))
	}
	if l.Topic == "" {
		errs = append(errs, fmt.Errorf("lesson %q has no topic", l.ID))
	}
	if l.Run == nil {
		errs = append(errs, fmt.Errorf("lesson %q has no Run function", l.ID))
	}
	if _, err := notes.Lesson(l.ID); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Options control how lessons are printed.
type Options struct {
	// Color turns on ANSI colour. Use [ColorFor] to decide it from the
	// output and the environment.
	Color bool
	// IsRoot says whether lessons that need root may run. Nil means
	// "ask the operating system" (os.Geteuid() == 0).
	IsRoot *bool
}

func (o Options) root() bool {
	if o.IsRoot != nil {
		return *o.IsRoot
	}
	return os.Geteuid() == 0
}

// ColorFor reports whether output written to w should be coloured: w is a
// terminal, NO_COLOR is unset and TERM is not "dumb".
func ColorFor(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}

// Run prints one lesson to w: heading, what Run writes, then the notes.
func Run(ctx context.Context, w io.Writer, l Lesson, opts Options) error {
	text, err := notes.Lesson(l.ID)
	if err != nil {
		return err
	}
	p := NewPage(w, opts.Color)
	p.title(l.Title, l.ID)
	if l.NeedsRoot && !opts.root() {
		p.Note("This lesson needs root (it creates namespaces, mounts or cgroups), so it was not run. Run it as root to see it live. What it shows:")
		p.Markdown(text)
		return p.err
	}
	if err := l.Run(ctx, p); err != nil {
		return fmt.Errorf("lesson %s: %w", l.ID, err)
	}
	if strings.TrimSpace(text) != "" {
		p.Heading("What happened, and why")
		p.Markdown(text)
	}
	if p.err != nil {
		return fmt.Errorf("lesson %s: writing output: %w", l.ID, p.err)
	}
	return nil
}

// RunAll runs lessons in order, stopping at the first error.
func RunAll(ctx context.Context, w io.Writer, lessons []Lesson, opts Options) error {
	for _, l := range lessons {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := Run(ctx, w, l, opts); err != nil {
			return err
		}
	}
	return nil
}

// Find returns the lesson with the given ID.
func Find(lessons []Lesson, id string) (Lesson, error) {
	for _, l := range lessons {
		if l.ID == id {
			return l, nil
		}
	}
	return Lesson{}, fmt.Errorf("no lesson %q (the lessons are listed by tour -list, or by the lab's list verb)", id)
}

// List writes one line per lesson: ID, topic and title.
func List(w io.Writer, lessons []Lesson) error {
	width := 0
	for _, l := range lessons {
		width = max(width, len(l.ID))
	}
	for _, l := range lessons {
		root := ""
		if l.NeedsRoot {
			root = " (root)"
		}
		if _, err := fmt.Fprintf(w, "%-*s  %-9s  %s%s\n", width, l.ID, l.Topic, l.Title, root); err != nil {
			return err
		}
	}
	return nil
}
