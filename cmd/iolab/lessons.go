package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/iolessons"
)

func lessonsVerb(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(verb, stderr)
	noColor := fs.Bool("no-color", false, "never use colour")
	if err := parse(fs, args); err != nil {
		return err
	}
	all := iolessons.Lessons()
	opts := lesson.Options{Color: !*noColor && lesson.ColorFor(stdout)}
	err := lesson.Dispatch(ctx, "iolab", verb, fs.Args(), all, stdout, opts)
	if errors.Is(err, lesson.ErrUsage) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}
