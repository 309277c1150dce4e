package cli

import (
	"context"
	"flag"

	"github.com/deferio/deferio/internal/lesson"
)

// LessonVerbs returns the verbs every lab shares, over the lessons all
// returns:
//
//	list                 one line per lesson
//	lessons [-no-color]  every lesson, in order
//	lesson [-no-color] ID...  the lessons named, in that order
//
// topic names the lessons in the help ("defer", "io" ...). extra, if not
// nil, declares more flags of lessons and lesson (peerlab's -loopback) and
// returns what applies them before a lesson runs.
func LessonVerbs(topic string, all func() []lesson.Lesson, extra func(fs *flag.FlagSet) func()) []Verb {
	setup := func(run func(ctx context.Context, s Streams, args []string, opts lesson.Options) error) func(fs *flag.FlagSet) Action {
		return func(fs *flag.FlagSet) Action {
			noColor := fs.Bool("no-color", false, "never use colour")
			apply := func() {}
			if extra != nil {
				apply = extra(fs)
			}
			return func(ctx context.Context, s Streams, args []string) error {
				apply()
				return run(ctx, s, args, lesson.Options{Color: s.Color(*noColor)})
			}
		}
	}
	return []Verb{
		{
			Name: "lessons",
			Help: "run every " + topic + " lesson, in order",
			Setup: setup(func(ctx context.Context, s Streams, args []string, opts lesson.Options) error {
				if len(args) != 0 {
					return Usagef("lessons takes no arguments, got %q (to run one: lesson ID)", args)
				}
				return lesson.RunAll(ctx, s.Stdout, all(), opts)
			}),
		},
		{
			Name: "lesson",
			Args: "ID...",
			Help: "run the " + topic + " lessons named, in that order (IDs: list)",
			Setup: setup(func(ctx context.Context, s Streams, args []string, opts lesson.Options) error {
				if len(args) == 0 {
					return Usagef("lesson takes one lesson ID or more (see list), got none")
				}
				ls, err := Lessons(all(), args)
				if err != nil {
					return err
				}
				return lesson.RunAll(ctx, s.Stdout, ls, opts)
			}),
		},
		{
			Name: "list",
			Help: "list the " + topic + " lessons: ID, topic, title",
			Setup: func(fs *flag.FlagSet) Action {
				return func(ctx context.Context, s Streams, args []string) error {
					if len(args) != 0 {
						return Usagef("list takes no arguments, got %q", args)
					}
					return lesson.List(s.Stdout, all())
				}
			},
		},
	}
}

// Lessons returns the lessons of all that ids name, in the order named;
// an ID that names none is a usage error that names it.
func Lessons(all []lesson.Lesson, ids []string) ([]lesson.Lesson, error) {
	ls := make([]lesson.Lesson, 0, len(ids))
	for _, id := range ids {
		l, err := lesson.Find(all, id)
		if err != nil {
			return nil, Usagef("no lesson %q (see list)", id)
		}
		ls = append(ls, l)
	}
	return ls, nil
}
