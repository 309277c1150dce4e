// Command tour is deferio's guided tour: every lesson, in order, each
// showing real code, the output it really produced and the explanation.
//
// Usage:
//
//	tour                 run every lesson in order
//	tour ID [ID...]      run the named lessons
//	tour -list           list the lessons
//	tour -topic defer    run one topic's lessons
//	tour help            the help (also -h, --help)
//
// Colour is used on a terminal unless -no-color is given or NO_COLOR is set.
// Lessons that need root say what they would show when run without it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons"
)

func main() {
	// The container lessons re-execute this binary as a container's init;
	// in that process Init runs the container and never returns.
	container.Init()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks errors in the command line; they exit with status 2.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := tour(ctx, args, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "tour: %v\ntour: run 'tour help' for help\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "tour: %v\n", err)
		return 1
	}
}

func tour(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tour", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	list := fs.Bool("list", false, "list the lessons and exit")
	topic := fs.String("topic", "", "run only the lessons of this `topic` (defer, io, exec, peer, container)")
	noColor := fs.Bool("no-color", false, "never use colour")
	help := func() error {
		fmt.Fprintf(stdout, "usage: tour [-list] [-no-color] [-topic TOPIC] [ID...]\n\n"+
			"Runs deferio's lessons: every one in order, or those named.\n\nFlags:\n")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return flag.ErrHelp
	}
	if len(args) > 0 && args[0] == "help" {
		return help()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return help()
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	all := lessons.All()
	if *topic != "" {
		all = lessons.Topic(*topic)
		if len(all) == 0 {
			return fmt.Errorf("%w: no lessons on topic %q", errUsage, *topic)
		}
	}
	if *list {
		return lesson.List(stdout, all)
	}
	var selected []lesson.Lesson
	for _, id := range fs.Args() {
		l, err := lesson.Find(all, id)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		selected = append(selected, l)
	}
	if len(selected) == 0 {
		selected = all
	}
	opts := lesson.Options{Color: !*noColor && lesson.ColorFor(stdout)}
	return lesson.RunAll(ctx, stdout, selected, opts)
}
