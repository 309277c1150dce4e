package container

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// tracef marks a step of the runtime's work. It does nothing unless
// [TraceTo] was called.
var tracef = func(format string, args ...any) {}

// TraceTo makes the runtime write one line per step of its work to w
// (nil turns it off): the time since the previous step, the time since
// tracing began, and the step, such as "start: cgroup applied". It shows
// where the milliseconds of a container start go (`nsinit --trace run`).
// Set it before starting containers; it is not meant to change while they
// start.
func TraceTo(w io.Writer) {
	if w == nil {
		tracef = func(string, ...any) {}
		return
	}
	var mu sync.Mutex
	begin := time.Now()
	last := begin
	tracef = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		fmt.Fprintf(w, "trace %8.3fms %8.3fms  %s\n", float64(now.Sub(last).Microseconds())/1000, float64(now.Sub(begin).Microseconds())/1000, fmt.Sprintf(format, args...))
		last = now
	}
}
