package main

import (
	"context"
	"fmt"
	"io"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons"
)

func lessonsVerb(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(verb, stdout)
	noColor := fs.Bool("no-color", false, "never use colour")
	if err := parse(fs, args); err != nil {
		return err
	}
	// Every lesson of the defer topic, in tour order: the basics, the
	// runtime model, the compiler's choice, the cost.
	all := lessons.Topic("defer")
	opts := lesson.Options{Color: !*noColor && lesson.ColorFor(stdout)}
	switch verb {
	case "list":
		if fs.NArg() != 0 {
			return fmt.Errorf("%w: list takes no arguments", errUsage)
		}
		return lesson.List(stdout, all)
	case "lessons":
		if fs.NArg() != 0 {
			return fmt.Errorf("%w: lessons takes no arguments (to run one: deferlab lesson ID)", errUsage)
		}
		return lesson.RunAll(ctx, stdout, all, opts)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: lesson takes one lesson ID (see deferlab list)", errUsage)
	}
	l, err := lesson.Find(all, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return lesson.Run(ctx, stdout, l, opts)
}
