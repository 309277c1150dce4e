//go:build !(linux && amd64)

package realtrace

import (
	"context"
	"fmt"
	"runtime"
)

// runner is the tracer's process supervisor; it needs linux/amd64.
type runner struct {
	bin    *goBinary
	stores map[uint64]*bitsStore
	frames map[[2]uint64]uint8
	limits Options
}

type rawRun struct {
	stdout, stderr      string
	status              int
	records             []byte
	truncated, timedOut bool
}

func (r *runner) run(context.Context, string) (rawRun, error) {
	return rawRun{}, fmt.Errorf("%w: it needs linux/amd64, not %s/%s", ErrUnavailable, runtime.GOOS, runtime.GOARCH)
}
