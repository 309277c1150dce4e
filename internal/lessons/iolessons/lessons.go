// Package iolessons holds the lessons of the io topic: the io interfaces
// and their contracts seen through traced calls, how io.Copy picks its
// path down to the kernel's zero-copy calls, ReaderAt in parallel, the
// contract checkers of iox/ioxtest, and file I/O on a real file. Programs
// a lesson shows are compiled with the real toolchain and run; code shown
// from this package is the code the lesson runs, cut from its own source.
package iolessons

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

//go:embed contracts.go copypaths.go readerat.go checkers.go
var ownSource embed.FS

// Lessons returns the io lessons in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{
		{ID: "io-contracts", Topic: "io", Title: "Reader, Writer and friends: the contracts, seen through traced calls", Run: contracts},
		{ID: "io-copy-paths", Topic: "io", Title: "How io.Copy picks its path, and why wrapping a file makes it slow", Run: copyPaths},
		{ID: "io-readerat", Topic: "io", Title: "ReaderAt in parallel: one file, many readers, no shared offset", Run: readerAtLesson},
		{ID: "io-checkers", Topic: "io", Title: "Contract violations caught by the checkers", Run: checkers},
		{ID: "io-file", Topic: "io", Title: "File I/O on a real file: flags, permissions, PathError, Seek, ReadAt, WriteAt", Run: fileIO},
	}
}

// progs are the embedded lesson programs.
var progs = gorun.Programs{FS: programs, Dir: "testdata/programs"}

func source(name string) ([]byte, error) { return progs.Source(name) }

func build(ctx context.Context, name string) (*gorun.Module, string, error) {
	return progs.Build(ctx, name)
}

// snippet returns the lines of this package's file between the markers
// "// show: NAME" and "// end: NAME", without them and unindented.
func snippet(file, name string) (string, error) {
	b, err := ownSource.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("unable to read %s: %w", file, err)
	}
	var out []string
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "// show: "+name:
			in = true
		case t == "// end: "+name:
			return dedent(out), nil
		case in:
			out = append(out, l)
		}
	}
	return "", fmt.Errorf("no snippet %q in %s", name, file)
}

func dedent(lines []string) string {
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			lines[i] = l[indent:]
		}
	}
	return strings.Join(lines, "\n")
}

// showSnippet shows a snippet of this package under a caption.
func showSnippet(p *lesson.Page, file, name string) error {
	s, err := snippet(file, name)
	if err != nil {
		return err
	}
	p.Code(file, s)
	return nil
}

func fileIO(ctx context.Context, p *lesson.Page) error {
	src, err := source("fileio.go")
	if err != nil {
		return err
	}
	p.Code("fileio.go", string(src))
	m, bin, err := build(ctx, "fileio.go")
	if err != nil {
		return err
	}
	defer m.Close()
	res, err := gorun.Exec(ctx, bin)
	if err != nil {
		return err
	}
	p.Output("go run fileio.go", res.Stdout+res.Stderr)
	return nil
}
