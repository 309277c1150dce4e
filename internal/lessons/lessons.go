// Package lessons lists every lesson of deferio in the order the tour
// teaches them. Each topic keeps its lessons in its own package below this
// one; the labs run the same lessons by topic.
package lessons

import (
	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/cgrouplessons"
	"github.com/deferio/deferio/internal/lessons/containerlessons"
	"github.com/deferio/deferio/internal/lessons/costlessons"
	"github.com/deferio/deferio/internal/lessons/deferlessons"
	"github.com/deferio/deferio/internal/lessons/execlessons"
	"github.com/deferio/deferio/internal/lessons/introlessons"
	"github.com/deferio/deferio/internal/lessons/iolessons"
	"github.com/deferio/deferio/internal/lessons/peerlessons"
	"github.com/deferio/deferio/internal/lessons/prooflessons"
	"github.com/deferio/deferio/internal/lessons/strategylessons"
)

// All returns every lesson in tour order: defer (the rules, the runtime
// model, the compiler's choice, the cost), then io, processes, the peer
// address and containers.
func All() []lesson.Lesson {
	var all []lesson.Lesson
	for _, topic := range [][]lesson.Lesson{
		introlessons.Lessons(),
		deferlessons.Lessons(),
		prooflessons.Lessons(),
		strategylessons.Lessons(),
		costlessons.Lessons(),
		iolessons.Lessons(),
		execlessons.Lessons(),
		peerlessons.Lessons(),
		containerlessons.Lessons(),
		cgrouplessons.Lessons(),
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
