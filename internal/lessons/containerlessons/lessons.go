// Package containerlessons holds the lessons of the container topic.
package containerlessons

import "github.com/deferio/deferio/internal/lesson"

// Lessons returns the container lessons in teaching order.
func Lessons() []lesson.Lesson { return nil }
