package iox

import (
	"io"
	"sync/atomic"
)

// CountingReader is a Reader that counts the bytes it delivers.
//
// N returns the number of bytes delivered so far by Read, WriteTo and,
// when present, ReadAt. It is safe to call N from another goroutine.
// During a forwarded WriteTo the count is added when WriteTo returns.
type CountingReader interface {
	io.Reader
	io.WriterTo
	N() int64
}

// NewCountingReader returns a CountingReader over r.
//
// Fast paths: WriteTo calls r's own WriteTo when r has one (so an *os.File
// source still reaches copy_file_range or sendfile), and otherwise
// io.Copy(w, r), which still gives w's ReadFrom the chance to recognise r.
// The returned value also implements io.Seeker exactly when r does, and
// io.ReaderAt exactly when r does (ReadAt is counted too); use a type
// assertion to reach them. Seeking does not change the count.
func NewCountingReader(r io.Reader) CountingReader {
	c := &countingReader{r: r}
	s, _ := r.(io.Seeker)
	var at io.ReaderAt
	if ra, ok := r.(io.ReaderAt); ok {
		at = countReadAt{ra, &c.n}
	}
	return withCountingReaderMethods(c, s, at)
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) WriteTo(w io.Writer) (int64, error) {
	var n int64
	var err error
	if wt, ok := c.r.(io.WriterTo); ok {
		n, err = wt.WriteTo(w)
	} else {
		// c.r has no WriteTo, so io.Copy goes straight to w's ReadFrom
		// (with c.r itself, which it may recognise) or to its buffer.
		n, err = io.Copy(w, c.r)
	}
	c.n.Add(n)
	return n, err
}

func (c *countingReader) N() int64 { return c.n.Load() }

type countReadAt struct {
	ra io.ReaderAt
	n  *atomic.Int64
}

func (f countReadAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.ra.ReadAt(p, off)
	f.n.Add(int64(n))
	return n, err
}

// CountingWriter is a Writer that counts the bytes it accepts.
//
// N returns the number of bytes accepted so far by Write, ReadFrom and,
// when present, WriteAt. It is safe to call N from another goroutine.
// During a forwarded ReadFrom the count is added when ReadFrom returns.
type CountingWriter interface {
	io.Writer
	io.ReaderFrom
	N() int64
}

// NewCountingWriter returns a CountingWriter over w.
//
// Fast paths: ReadFrom calls w's own ReadFrom when w has one (so an
// *os.File destination still reaches copy_file_range or splice, and a
// *net.TCPConn still reaches sendfile or splice), and otherwise
// io.Copy(w, r), which still gives r's WriteTo its chance. The returned
// value also implements io.Seeker exactly when w does, and io.WriterAt
// exactly when w does (WriteAt is counted too).
func NewCountingWriter(w io.Writer) CountingWriter {
	c := &countingWriter{w: w}
	s, _ := w.(io.Seeker)
	var at io.WriterAt
	if wa, ok := w.(io.WriterAt); ok {
		at = countWriteAt{wa, &c.n}
	}
	return withCountingWriterMethods(c, s, at)
}

type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	var n int64
	var err error
	if rf, ok := c.w.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(c.w, r)
	}
	c.n.Add(n)
	return n, err
}

func (c *countingWriter) N() int64 { return c.n.Load() }

type countWriteAt struct {
	wa io.WriterAt
	n  *atomic.Int64
}

func (f countWriteAt) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.wa.WriteAt(p, off)
	f.n.Add(int64(n))
	return n, err
}
