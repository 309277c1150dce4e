// Package lessons lists every lesson of deferio in the order the tour
// teaches them. Each topic keeps its lessons in its own package below this
// one; the labs run the same lessons by topic.
package lessons

import (
	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/introlessons"
)

// All returns every lesson in tour order.
func All() []lesson.Lesson {
	var all []lesson.Lesson
	for _, topic := range [][]lesson.Lesson{
		introlessons.Lessons(),
	} {
		all = append(all, topic...)
	}
	return all
}

// Topic returns the lessons of one topic, in tour order.
func Topic(name string) []lesson.Lesson {
	var ls []lesson.Lesson
	for _, l := range All() {
		if l.Topic == name {
			ls = append(ls, l)
		}
	}
	return ls
}
