package procx

import (
	"bytes"
	"context"
	"fmt"
	"sync"
)

// DefaultMaxLine is the longest line a [LineWriter] passes on in one piece
// when it is given no limit.
const DefaultMaxLine = 64 << 10

// End says how a [Line] ended.
type End int

const (
	// EndLF is a line ended by "\n".
	EndLF End = iota
	// EndCRLF is a line ended by "\r\n".
	EndCRLF
	// EndCR is a line ended by a lone "\r", as progress bars print.
	EndCR
	// EndSplit is a piece of a line longer than the limit; the rest of
	// the line follows in the next Line.
	EndSplit
	// EndEOF is the last bytes of a stream that did not end in a newline.
	EndEOF
)

var endNames = [...]string{"LF", "CRLF", "CR", "split", "EOF"}

// String returns "LF", "CRLF", "CR", "split" or "EOF".
func (e End) String() string {
	if e < 0 || int(e) >= len(endNames) {
		return fmt.Sprintf("End(%d)", int(e))
	}
	return endNames[e]
}

// A Line is one line of output, without its terminator.
type Line struct {
	Text string
	End  End
}

// A LineWriter is an io.Writer that cuts what is written to it into lines
// and calls a function once per line, in order.
//
// A line ends at "\n", at "\r\n" (one terminator, not two) or at a "\r" not
// followed by "\n"; a terminator split across two Writes is recognised.
// A line longer than the limit is passed on in pieces of exactly the limit
// marked [EndSplit], so no byte is ever lost and memory stays bounded.
// Close passes on what is left after the last terminator, marked [EndEOF].
//
// Write always consumes all of p and returns len(p), nil. A LineWriter is
// not safe for concurrent use; the callback runs on the writing goroutine.
type LineWriter struct {
	max       int
	fn        func(Line)
	buf       []byte
	pendingCR bool
}

// NewLineWriter returns a LineWriter that calls fn for each line, splitting
// lines longer than maxLine bytes. maxLine <= 0 means [DefaultMaxLine].
func NewLineWriter(maxLine int, fn func(Line)) *LineWriter {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &LineWriter{max: maxLine, fn: fn}
}

func (w *LineWriter) emit(e End) {
	w.fn(Line{Text: string(w.buf), End: e})
	w.buf = w.buf[:0]
}

func (w *LineWriter) appendText(seg []byte) {
	for len(seg) > 0 {
		if len(w.buf) == w.max {
			w.emit(EndSplit)
		}
		n := min(w.max-len(w.buf), len(seg))
		w.buf = append(w.buf, seg[:n]...)
		seg = seg[n:]
	}
}

// Write cuts p into lines; see [LineWriter].
func (w *LineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if w.pendingCR {
			w.pendingCR = false
			if p[0] == '\n' {
				w.emit(EndCRLF)
				p = p[1:]
				continue
			}
			w.emit(EndCR)
		}
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			w.appendText(p)
			break
		}
		w.appendText(p[:i])
		if p[i] == '\n' {
			w.emit(EndLF)
		} else {
			w.pendingCR = true
		}
		p = p[i+1:]
	}
	return n, nil
}

// Close passes on a pending lone "\r" line and any bytes after the last
// terminator. It is safe to call more than once.
func (w *LineWriter) Close() error {
	if w.pendingCR {
		w.pendingCR = false
		w.emit(EndCR)
	}
	if len(w.buf) > 0 {
		w.emit(EndEOF)
	}
	return nil
}

// Source names the stream a line came from.
type Source int

const (
	// FromStdout marks a line the program wrote to descriptor 1.
	FromStdout Source = 1
	// FromStderr marks a line the program wrote to descriptor 2.
	FromStderr Source = 2
)

// String returns "stdout" or "stderr".
func (s Source) String() string {
	switch s {
	case FromStdout:
		return "stdout"
	case FromStderr:
		return "stderr"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Stream runs argv like [Run] and calls fn for every line of its stdout
// and stderr as it arrives (see [LineWriter] for what a line is; maxLine
// bounds a piece). Calls to fn never overlap, and lines of one stream keep
// their order; the order between the two streams is the order in which the
// two pipes were read, not necessarily the order of the writes.
//
// The Status says how the program ended; the error is nil only when it
// exited with code 0.
func Stream(ctx context.Context, argv []string, maxLine int, fn func(Source, Line), opts ...Option) (Status, error) {
	if fn == nil {
		return Status{}, fmt.Errorf("unable to stream output: nil line function")
	}
	cmd, o, err := newCmd(ctx, argv, opts)
	if err != nil {
		return Status{}, err
	}
	var mu sync.Mutex
	lineFn := func(src Source) func(Line) {
		return func(l Line) {
			mu.Lock()
			defer mu.Unlock()
			fn(src, l)
		}
	}
	out := NewLineWriter(maxLine, lineFn(FromStdout))
	errw := NewLineWriter(maxLine, lineFn(FromStderr))
	cmd.Stdout, cmd.Stderr = out, errw
	err = o.run(ctx, cmd)
	// Wait has returned, so no copying goroutine is writing any more.
	out.Close()
	errw.Close()
	st := StatusOf(cmd.ProcessState)
	if err != nil {
		return st, fmt.Errorf("unable to run %q: %w", argv[0], err)
	}
	return st, nil
}
