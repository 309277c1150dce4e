package iox

import (
	"fmt"
	"io"
	"sort"
)

// SizedReaderAt is an io.ReaderAt that knows its size, as *io.SectionReader,
// *bytes.Reader, *strings.Reader and [Section] do.
type SizedReaderAt interface {
	io.ReaderAt
	Size() int64
}

// A MultiReaderAt is the logical concatenation of several SizedReaderAts:
// what io.MultiReader is for Readers, for ReaderAts. Wrap it with
// [NewReadSeeker](m, m.Size()) to read and seek it as a stream.
//
// Contract: ReadAt fills p from as many parts as it spans and returns
// io.EOF when it reaches the end of the last part, so n < len(p) always
// comes with an error. It keeps no offset, so parallel ReadAt calls are
// safe when the parts' ReadAt calls are. A part whose ReadAt ends before
// its Size is an error (io.ErrUnexpectedEOF), not a silent gap.
type MultiReaderAt struct {
	parts []SizedReaderAt
	ends  []int64 // ends[i] is the offset just after part i
}

// NewMultiReaderAt returns the concatenation of parts, in order. It
// returns an error when a part is nil, has a negative size, or the total
// overflows int64.
func NewMultiReaderAt(parts ...SizedReaderAt) (*MultiReaderAt, error) {
	m := &MultiReaderAt{}
	var end int64
	for i, p := range parts {
		if p == nil {
			return nil, fmt.Errorf("unable to concatenate: part %d is nil", i)
		}
		size := p.Size()
		if size < 0 {
			return nil, fmt.Errorf("unable to concatenate: part %d has a negative size %d", i, size)
		}
		if end > 1<<63-1-size {
			return nil, fmt.Errorf("unable to concatenate: the total size overflows int64 at part %d", i)
		}
		if size == 0 {
			continue
		}
		end += size
		m.parts = append(m.parts, p)
		m.ends = append(m.ends, end)
	}
	return m, nil
}

// Size returns the sum of the parts' sizes.
func (m *MultiReaderAt) Size() int64 {
	if len(m.ends) == 0 {
		return 0
	}
	return m.ends[len(m.ends)-1]
}

// ReadAt reads len(p) bytes starting at off of the concatenation.
func (m *MultiReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("unable to read at offset %d: %w", off, ErrNegativeOffset)
	}
	if off >= m.Size() {
		return 0, io.EOF // as bytes.Reader, even for an empty p
	}
	n := 0
	i := sort.Search(len(m.ends), func(i int) bool { return m.ends[i] > off })
	for ; n < len(p) && i < len(m.parts); i++ {
		start := m.ends[i] - m.parts[i].Size()
		q := p[n:]
		if rest := m.ends[i] - off; int64(len(q)) > rest {
			q = q[:rest]
		}
		k, err := m.parts[i].ReadAt(q, off-start)
		n += k
		off += int64(k)
		if k < len(q) {
			if err == nil || err == io.EOF {
				err = fmt.Errorf("unable to read part %d at offset %d: it ended before its size %d: %w", i, off-start, m.parts[i].Size(), io.ErrUnexpectedEOF)
			}
			return n, err
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// MultiWriter returns a Writer that duplicates each write to all ws, in
// order, like io.MultiWriter: a writer that fails or writes short stops
// the write with its error (or io.ErrShortWrite).
//
// Fast paths: with exactly one writer, MultiWriter returns it unchanged,
// with all its methods. Otherwise the result implements io.WriterAt
// exactly when every writer does, writing the same bytes at the same
// offset in each (mirroring files). It implements no ReaderFrom: the data
// must pass through memory to reach more than one destination, so there
// is no zero-copy path to keep.
func MultiWriter(ws ...io.Writer) io.Writer {
	if len(ws) == 1 {
		return ws[0]
	}
	m := &multiWriter{ws: append([]io.Writer(nil), ws...)}
	was := make([]io.WriterAt, 0, len(ws))
	for _, w := range ws {
		wa, ok := w.(io.WriterAt)
		if !ok {
			return m
		}
		was = append(was, wa)
	}
	if len(was) == 0 {
		return m
	}
	return withWriterMethods(m, nil, nil, multiWriterAt(was))
}

type multiWriter struct{ ws []io.Writer }

func (m *multiWriter) Write(p []byte) (int, error) {
	for _, w := range m.ws {
		n, err := w.Write(p)
		if err != nil {
			return n, err
		}
		if n != len(p) {
			return n, io.ErrShortWrite
		}
	}
	return len(p), nil
}

type multiWriterAt []io.WriterAt

func (m multiWriterAt) WriteAt(p []byte, off int64) (int, error) {
	for _, w := range m {
		n, err := w.WriteAt(p, off)
		if err != nil {
			return n, err
		}
		if n != len(p) {
			return n, io.ErrShortWrite
		}
	}
	return len(p), nil
}

// TeeReader returns a Reader that writes to w what it reads from r, like
// io.TeeReader: every Read of n > 0 bytes writes them to w before
// returning, and a failed or short write is returned as the Read's error.
//
// Fast paths: when r implements io.WriterTo, so does the tee; its WriteTo
// calls r.WriteTo with a writer that tees, so r decides how to hand out
// its bytes (a *bytes.Reader does it in one Write, with no intermediate
// buffer). A tee can keep no zero-copy path: every byte has to reach w
// through memory. It forwards neither Seek nor ReadAt, whose bytes would
// reach w out of order or twice.
func TeeReader(r io.Reader, w io.Writer) io.Reader {
	t := &teeReader{r: r, w: w}
	var wt io.WriterTo
	if x, ok := r.(io.WriterTo); ok {
		wt = teeWriteTo{x, w}
	}
	return withReaderMethods(t, wt, nil, nil)
}

type teeReader struct {
	r io.Reader
	w io.Writer
}

func (t *teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		if m, werr := t.w.Write(p[:n]); werr != nil {
			return n, werr
		} else if m != n {
			return n, io.ErrShortWrite
		}
	}
	return n, err
}

type teeWriteTo struct {
	wt io.WriterTo
	w  io.Writer
}

func (t teeWriteTo) WriteTo(dst io.Writer) (int64, error) {
	return t.wt.WriteTo(&multiWriter{ws: []io.Writer{dst, t.w}})
}
