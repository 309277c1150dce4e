package lesson

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrUsage is matched (with errors.Is) by the errors [Dispatch] returns
// for a wrong command line.
var ErrUsage = errors.New("usage")

type usageError struct{ msg string }

func (e usageError) Error() string        { return e.msg }
func (e usageError) Is(target error) bool { return target == ErrUsage }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// Dispatch runs the lesson verbs that every lab command shares, over the
// lessons all:
//
//	LAB list        one line per lesson
//	LAB lessons     every lesson, in order
//	LAB lesson ID   one lesson
//
// args are the words after the verb, flags already parsed. A wrong number
// of arguments, an unknown ID or an unknown verb is an error matching
// [ErrUsage], whose text says what was wrong; the lab prints it as its
// own usage error.
func Dispatch(ctx context.Context, lab, verb string, args []string, all []Lesson, w io.Writer, opts Options) error {
	switch verb {
	case "list":
		if len(args) != 0 {
			return usagef("list takes no arguments, got %q", args)
		}
		return List(w, all)
	case "lessons":
		if len(args) != 0 {
			return usagef("lessons takes no arguments, got %q (to run one: %s lesson ID)", args, lab)
		}
		return RunAll(ctx, w, all, opts)
	case "lesson":
		if len(args) != 1 {
			return usagef("lesson takes one lesson ID (see %s list), got %d arguments", lab, len(args))
		}
		l, err := Find(all, args[0])
		if err != nil {
			return usagef("no lesson %q (see %s list)", args[0], lab)
		}
		return Run(ctx, w, l, opts)
	}
	return usagef("%q is not a lesson verb (list, lessons, lesson)", verb)
}
