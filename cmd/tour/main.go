// Command tour is deferio's guided tour: every lesson, in order, each
// showing real code, the output it really produced and the explanation.
//
// Usage:
//
//	tour [-no-color]                    run every lesson in order
//	tour [-no-color] ID [ID...]         run the named lessons
//	tour -list                          list the lessons
//	tour -topic defer                   run one topic's lessons
//	tour [-no-color] lessons            every lesson, in order
//	tour [-no-color] lesson ID [ID...]  the named lessons
//	tour list                           list the lessons
//	tour help [VERB]                    the help, or a verb's flags (also -h, --help)
//
// Without a verb, tour runs its run verb: "tour -topic defer" is "tour
// run -topic defer". Colour is used on a terminal unless -no-color is
// given or NO_COLOR is set. Lessons that need root say what they would
// show when run without it.
package main

import (
	"context"
	"flag"
	"io"
	"os"
	"os/signal"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/internal/cli"
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

var command = &cli.Command{
	Name:       "tour",
	Doc:        "Runs deferio's lessons: every one in order, or those named.",
	Verbs:      append([]cli.Verb{runVerb}, cli.LessonVerbs("deferio", lessons.All, nil)...),
	Footer:     "Exit status: 0 on success, 1 when a lesson fails, 2 for a usage error.",
	Default:    "run",
	DefaultFor: isLesson,
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return command.Run(ctx, args, cli.Streams{Stdin: os.Stdin, Stdout: stdout, Stderr: stderr})
}

// isLesson reports whether id names a lesson: "tour ID" runs it.
func isLesson(id string) bool {
	_, err := lesson.Find(lessons.All(), id)
	return err == nil
}

var runVerb = cli.Verb{
	Name: "run",
	Args: "[ID...]",
	Help: `run the lessons named, or every lesson (of one topic, with -topic), in
order; with -list, list them instead`,
	Setup: func(fs *flag.FlagSet) cli.Action {
		list := fs.Bool("list", false, "list the lessons and exit")
		topic := fs.String("topic", "", "only the lessons of this `topic` (defer, io, exec, peer, container)")
		noColor := fs.Bool("no-color", false, "never use colour")
		return func(ctx context.Context, s cli.Streams, ids []string) error {
			all := lessons.All()
			if *topic != "" {
				all = lessons.Topic(*topic)
				if len(all) == 0 {
					return cli.Usagef("no lessons on topic %q", *topic)
				}
			}
			if *list {
				return lesson.List(s.Stdout, all)
			}
			selected := all
			if len(ids) > 0 {
				var err error
				if selected, err = cli.Lessons(all, ids); err != nil {
					return err
				}
			}
			return lesson.RunAll(ctx, s.Stdout, selected, lesson.Options{Color: s.Color(*noColor)})
		}
	},
}
