package main

import (
	"context"
	"errors"
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
	err := lesson.Dispatch(ctx, "deferlab", verb, fs.Args(), all, stdout, opts)
	if errors.Is(err, lesson.ErrUsage) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}
