package iox

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// A Call is one method call seen by a [Tracer].
type Call struct {
	// Name is the name given to the traced value ("src", "dst" ...).
	Name string
	// Method is "Read", "Write", "ReadAt", "WriteAt", "Seek", "WriteTo"
	// or "ReadFrom".
	Method string
	// Len is len(p) for methods that take a buffer, else -1.
	Len int
	// Off is the offset of ReadAt, WriteAt and Seek; Whence is Seek's.
	Off    int64
	Whence int
	// Depth is how many traced WriteTo or ReadFrom calls were running on
	// the Tracer when this call started: a Write made by a traced WriteTo
	// has depth 1. Depth is only meaningful when one goroutine drives the
	// traced values.
	Depth int
	// N is the count the method returned (for Seek, the new offset).
	N int64
	// Err is the error the method returned.
	Err error
	// Duration is how long the call took.
	Duration time.Duration
}

// String formats c without its duration, so traces print the same on
// every run: "src.Read(len=32768) = 32768, <nil>", indented two spaces per
// depth level.
func (c Call) String() string {
	var args string
	switch c.Method {
	case "Read", "Write":
		args = fmt.Sprintf("len=%d", c.Len)
	case "ReadAt", "WriteAt":
		args = fmt.Sprintf("len=%d, off=%d", c.Len, c.Off)
	case "Seek":
		args = fmt.Sprintf("%d, %s", c.Off, whenceName(c.Whence))
	case "WriteTo", "ReadFrom":
		args = "…"
	}
	return fmt.Sprintf("%s%s.%s(%s) = %d, %v", strings.Repeat("  ", max(c.Depth, 0)), c.Name, c.Method, args, c.N, c.Err)
}

func whenceName(w int) string {
	switch w {
	case io.SeekStart:
		return "io.SeekStart"
	case io.SeekCurrent:
		return "io.SeekCurrent"
	case io.SeekEnd:
		return "io.SeekEnd"
	}
	return fmt.Sprintf("whence=%d", w)
}

// A Tracer records every call made to the readers and writers it wraps,
// in the order the calls started. It is safe for concurrent use. The zero
// Tracer is ready to use.
//
// A traced value has exactly the optional methods of the value it wraps,
// among WriterTo, ReaderFrom, ReaderAt, WriterAt and Seeker, so io.Copy
// takes the same path with or without tracing, and the trace shows which.
type Tracer struct {
	// OnCall, when set, is called with each call as it returns, for live
	// output. It must not call back into the Tracer.
	OnCall func(Call)

	mu    sync.Mutex
	calls []Call
	depth int
	gen   int // incremented by Reset, so calls that began before it leave the new record alone
}

// Calls returns a copy of the calls recorded so far.
func (t *Tracer) Calls() []Call {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Call(nil), t.calls...)
}

// Reset forgets the recorded calls. Calls still running when it is called
// are not recorded when they return, and no longer count in Depth.
func (t *Tracer) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls = nil
	t.depth = 0
	t.gen++
}

// String returns the recorded calls, one [Call.String] per line.
func (t *Tracer) String() string {
	var b strings.Builder
	for _, c := range t.Calls() {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// begin records the start of a call and returns its index and the
// Tracer's generation.
func (t *Tracer) begin(c Call, nests bool) (int, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c.Depth = t.depth
	if nests {
		t.depth++
	}
	t.calls = append(t.calls, c)
	return len(t.calls) - 1, t.gen
}

func (t *Tracer) end(i, gen int, start time.Time, n int64, err error, nests bool) {
	d := time.Since(start)
	t.mu.Lock()
	if gen != t.gen { // Reset ran meanwhile: the call is forgotten
		t.mu.Unlock()
		return
	}
	if nests {
		t.depth--
	}
	t.calls[i].N, t.calls[i].Err, t.calls[i].Duration = n, err, d
	c := t.calls[i]
	t.mu.Unlock()
	if t.OnCall != nil {
		t.OnCall(c)
	}
}

func (t *Tracer) record(c Call, nests bool, f func() (int64, error)) (int64, error) {
	start := time.Now()
	i, gen := t.begin(c, nests)
	n, err := f()
	t.end(i, gen, start, n, err, nests)
	return n, err
}

// Reader returns r traced under name. Its method set mirrors r's: it
// implements io.WriterTo, io.Seeker and io.ReaderAt exactly when r does.
func (t *Tracer) Reader(name string, r io.Reader) io.Reader {
	b := &tracedReader{t: t, name: name, r: r}
	var wt io.WriterTo
	if x, ok := r.(io.WriterTo); ok {
		wt = tWriteTo{b, x}
	}
	var s io.Seeker
	if x, ok := r.(io.Seeker); ok {
		s = tSeek{t, name, x}
	}
	var at io.ReaderAt
	if x, ok := r.(io.ReaderAt); ok {
		at = tReadAt{t, name, x}
	}
	return withReaderMethods(b, wt, s, at)
}

// Writer returns w traced under name. Its method set mirrors w's: it
// implements io.ReaderFrom, io.Seeker and io.WriterAt exactly when w does.
func (t *Tracer) Writer(name string, w io.Writer) io.Writer {
	b := &tracedWriter{t: t, name: name, w: w}
	var rf io.ReaderFrom
	if x, ok := w.(io.ReaderFrom); ok {
		rf = tReadFrom{b, x}
	}
	var s io.Seeker
	if x, ok := w.(io.Seeker); ok {
		s = tSeek{t, name, x}
	}
	var at io.WriterAt
	if x, ok := w.(io.WriterAt); ok {
		at = tWriteAt{t, name, x}
	}
	return withWriterMethods(b, rf, s, at)
}

type tracedReader struct {
	t    *Tracer
	name string
	r    io.Reader
}

func (b *tracedReader) Read(p []byte) (int, error) {
	n, err := b.t.record(Call{Name: b.name, Method: "Read", Len: len(p)}, false, func() (int64, error) {
		n, err := b.r.Read(p)
		return int64(n), err
	})
	return int(n), err
}

type tWriteTo struct {
	b  *tracedReader
	wt io.WriterTo
}

func (f tWriteTo) WriteTo(w io.Writer) (int64, error) {
	return f.b.t.record(Call{Name: f.b.name, Method: "WriteTo", Len: -1}, true, func() (int64, error) {
		return f.wt.WriteTo(w)
	})
}

type tSeek struct {
	t    *Tracer
	name string
	s    io.Seeker
}

func (f tSeek) Seek(offset int64, whence int) (int64, error) {
	return f.t.record(Call{Name: f.name, Method: "Seek", Len: -1, Off: offset, Whence: whence}, false, func() (int64, error) {
		return f.s.Seek(offset, whence)
	})
}

type tReadAt struct {
	t    *Tracer
	name string
	ra   io.ReaderAt
}

func (f tReadAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.t.record(Call{Name: f.name, Method: "ReadAt", Len: len(p), Off: off}, false, func() (int64, error) {
		n, err := f.ra.ReadAt(p, off)
		return int64(n), err
	})
	return int(n), err
}

type tracedWriter struct {
	t    *Tracer
	name string
	w    io.Writer
}

func (b *tracedWriter) Write(p []byte) (int, error) {
	n, err := b.t.record(Call{Name: b.name, Method: "Write", Len: len(p)}, false, func() (int64, error) {
		n, err := b.w.Write(p)
		return int64(n), err
	})
	return int(n), err
}

type tReadFrom struct {
	b  *tracedWriter
	rf io.ReaderFrom
}

func (f tReadFrom) ReadFrom(r io.Reader) (int64, error) {
	return f.b.t.record(Call{Name: f.b.name, Method: "ReadFrom", Len: -1}, true, func() (int64, error) {
		return f.rf.ReadFrom(r)
	})
}

type tWriteAt struct {
	t    *Tracer
	name string
	wa   io.WriterAt
}

func (f tWriteAt) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.t.record(Call{Name: f.name, Method: "WriteAt", Len: len(p), Off: off}, false, func() (int64, error) {
		n, err := f.wa.WriteAt(p, off)
		return int64(n), err
	})
	return int(n), err
}
