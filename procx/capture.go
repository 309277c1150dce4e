package procx

import (
	"context"
	"fmt"
	"sync"
)

// A Capture is an io.Writer that keeps the first Limit bytes written to it
// and counts, but drops, the rest. Its memory stays bounded however much a
// program prints, and it never returns an error, so the program is never
// stopped by a broken pipe because its output was too long.
//
// A Capture is safe for concurrent use. The zero value keeps nothing; use
// [NewCapture].
type Capture struct {
	mu      sync.Mutex
	limit   int
	buf     []byte
	dropped int64
}

// NewCapture returns a Capture that keeps at most limit bytes. A negative
// limit is treated as zero.
func NewCapture(limit int) *Capture {
	return &Capture{limit: max(limit, 0)}
}

// Write keeps what fits under the limit and counts the rest. It always
// returns len(p), nil.
func (c *Capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	room := c.limit - len(c.buf)
	keep := min(room, len(p))
	if keep > 0 {
		c.buf = append(c.buf, p[:keep]...)
	}
	c.dropped += int64(len(p) - keep)
	return len(p), nil
}

// Bytes returns a copy of the bytes kept.
func (c *Capture) Bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.buf...)
}

// String returns the bytes kept as a string.
func (c *Capture) String() string { return string(c.Bytes()) }

// Dropped reports how many bytes were written beyond the limit.
func (c *Capture) Dropped() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped
}

// Truncated reports whether any byte was dropped.
func (c *Capture) Truncated() bool { return c.Dropped() > 0 }

// Result is what [Output] and [CombinedOutput] return: the output kept and
// how the process ended.
type Result struct {
	Stdout, Stderr *Capture // CombinedOutput leaves Stderr nil
	Status         Status
}

// Output runs argv like [Run] and captures at most limit bytes of its
// stdout and limit bytes of its stderr. The error is nil only when the
// program exited with code 0; a non-zero exit, a signal or a cancelled
// context gives an error and a Result whose Status says how it ended.
func Output(ctx context.Context, argv []string, limit int, opts ...Option) (Result, error) {
	cmd, o, err := newCmd(ctx, argv, opts)
	if err != nil {
		return Result{}, err
	}
	res := Result{Stdout: NewCapture(limit), Stderr: NewCapture(limit)}
	cmd.Stdout, cmd.Stderr = res.Stdout, res.Stderr
	err = o.run(ctx, cmd)
	res.Status = StatusOf(cmd.ProcessState)
	if err != nil {
		return res, fmt.Errorf("unable to run %q: %w", argv[0], err)
	}
	return res, nil
}

// CombinedOutput is [Output] with stdout and stderr merged into one
// Capture (Result.Stdout). Both of the child's descriptors 1 and 2 are the
// same pipe, so the bytes arrive in the order the child's write(2) calls
// reached the kernel: the only order there is. A program that buffers
// stdout (C's stdio does when it is not a terminal) may still write its
// stdout later than it wrote stderr.
func CombinedOutput(ctx context.Context, argv []string, limit int, opts ...Option) (Result, error) {
	cmd, o, err := newCmd(ctx, argv, opts)
	if err != nil {
		return Result{}, err
	}
	res := Result{Stdout: NewCapture(limit)}
	cmd.Stdout, cmd.Stderr = res.Stdout, res.Stdout
	err = o.run(ctx, cmd)
	res.Status = StatusOf(cmd.ProcessState)
	if err != nil {
		return res, fmt.Errorf("unable to run %q: %w", argv[0], err)
	}
	return res, nil
}
