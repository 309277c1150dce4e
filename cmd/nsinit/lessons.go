package main

import (
	"context"
	"os"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/containerlessons"
)

func lessonOptions(g *globals) lesson.Options {
	return lesson.Options{Color: !g.noColor && lesson.ColorFor(os.Stdout) && g.stdout == os.Stdout}
}

func cmdLessons(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("lessons", g.stderr)
	list := fs.Bool("list", false, "list the lessons instead of printing them")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("lessons takes no arguments (lesson ID prints one)")
	}
	if *list {
		return lesson.List(g.stdout, containerlessons.Lessons())
	}
	return lesson.RunAll(ctx, g.stdout, containerlessons.Lessons(), lessonOptions(g))
}

func cmdLesson(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("lesson", g.stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one lesson ID (nsinit lessons -list)")
	}
	l, err := lesson.Find(containerlessons.Lessons(), fs.Arg(0))
	if err != nil {
		return usageError{err.Error()}
	}
	return lesson.Run(ctx, g.stdout, l, lessonOptions(g))
}
