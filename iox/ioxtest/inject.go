package ioxtest

import (
	"fmt"
	"io"
	"sync"
)

// Each injector wraps a correct implementation and breaks one rule, named
// in its doc comment; the checker that owns the rule catches it.

// ZeroReader returns a Reader that returns (0, nil) streak times before
// each Read it passes on to r, until r returns an error. With a streak of 100 or more it breaks
// [ReadNoProgress]: bufio.Reader gives up with io.ErrNoProgress.
func ZeroReader(r io.Reader, streak int) io.Reader { return &zeroReader{r: r, streak: streak} }

type zeroReader struct {
	r       io.Reader
	streak  int
	pending int
	ended   bool
}

func (z *zeroReader) Read(p []byte) (int, error) {
	if len(p) > 0 && !z.ended && z.pending < z.streak {
		z.pending++
		return 0, nil
	}
	z.pending = 0
	n, err := z.r.Read(p)
	if err != nil {
		z.ended = true // after the end, answer as r does
	}
	return n, err
}

// OverReader returns a Reader that claims one byte more than p holds
// whenever r fills p: it breaks [ReadBounds].
func OverReader(r io.Reader) io.Reader { return overReader{r} }

type overReader struct{ r io.Reader }

func (o overReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if n == len(p) && n > 0 {
		n++
	}
	return n, err
}

// RetainingReader returns a Reader that keeps the caller's buffer: it
// fills all of p from r but returns only the first half, and serves the
// second half on the next Read from p itself, which the caller owns again
// by then. It breaks [ReadRetain].
func RetainingReader(r io.Reader) io.Reader { return &retainingReader{r: r} }

type retainingReader struct {
	r    io.Reader
	kept []byte // a slice of the caller's earlier p
	err  error
}

func (k *retainingReader) Read(p []byte) (int, error) {
	if len(k.kept) > 0 {
		n := copy(p, k.kept)
		k.kept = k.kept[n:]
		return n, nil
	}
	if k.err != nil {
		return 0, k.err
	}
	n, err := k.r.Read(p)
	if n >= 2 {
		k.kept = p[n/2 : n]
		k.err = err
		return n / 2, nil
	}
	return n, err
}

// WrappedEOFReader returns a Reader that wraps io.EOF in another error
// at the end of r: it breaks [ReadEOFIdentity] (io.ReadAll, bufio and
// io.Copy compare with ==, and report it as a failure).
func WrappedEOFReader(r io.Reader) io.Reader { return wrappedEOF{r} }

type wrappedEOF struct{ r io.Reader }

func (w wrappedEOF) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err == io.EOF {
		err = fmt.Errorf("end of stream: %w", err)
	}
	return n, err
}

// EarlyEOFReader returns a Reader that returns io.EOF together with the
// first bytes it reads, while r still has more: it breaks [ReadContent].
// (EOF with the last bytes is allowed, see testing/iotest.DataErrReader;
// EOF with bytes that are not the last is not.)
func EarlyEOFReader(r io.Reader) io.Reader { return &earlyEOF{r: r} }

type earlyEOF struct {
	r    io.Reader
	done bool
}

func (e *earlyEOF) Read(p []byte) (int, error) {
	if e.done {
		return 0, io.EOF
	}
	n, err := e.r.Read(p)
	if n > 0 {
		e.done = true
		return n, io.EOF
	}
	return n, err
}

// ShortWriter returns a Writer that writes only the first half of each p
// of two bytes or more to w and returns a nil error: it breaks
// [WriteShort].
func ShortWriter(w io.Writer) io.Writer { return shortWriter{w} }

type shortWriter struct{ w io.Writer }

func (s shortWriter) Write(p []byte) (int, error) {
	if len(p) >= 2 {
		p = p[:len(p)/2]
	}
	return s.w.Write(p)
}

// ModifyingWriter returns a Writer that writes p to w and then flips the
// case bit of each byte of p: it breaks [WriteModify].
func ModifyingWriter(w io.Writer) io.Writer { return modifyingWriter{w} }

type modifyingWriter struct{ w io.Writer }

func (m modifyingWriter) Write(p []byte) (int, error) {
	n, err := m.w.Write(p)
	for i := range p {
		//lint:ignore SA1023 this injector breaks the rule on purpose
		p[i] ^= 0x20
	}
	return n, err
}

// OverWriter returns a Writer that writes p to w and claims one byte more:
// it breaks [WriteBounds].
func OverWriter(w io.Writer) io.Writer { return overWriter{w} }

type overWriter struct{ w io.Writer }

func (o overWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if n > 0 {
		n++
	}
	return n, err
}

// ShortReaderAt returns a ReaderAt that returns only the first half of
// any read of two bytes or more, with a nil error: it breaks
// [ReadAtShort].
func ShortReaderAt(ra io.ReaderAt) io.ReaderAt { return shortReaderAt{ra} }

type shortReaderAt struct{ ra io.ReaderAt }

func (s shortReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if len(p) >= 2 {
		n, err := s.ra.ReadAt(p[:len(p)/2], off)
		if err == io.EOF {
			return n, err
		}
		return n, nil
	}
	return s.ra.ReadAt(p, off)
}

// ReadSeekerAt is a Reader, Seeker and ReaderAt.
type ReadSeekerAt interface {
	io.ReadSeeker
	io.ReaderAt
}

// SeekingReaderAt returns a ReadSeekerAt whose ReadAt seeks rs to off
// and reads there, leaving the offset moved, as a naive ReadAt over a
// file would: it breaks [ReadAtOffset]. Its calls are serialised, so it
// breaks no other rule.
func SeekingReaderAt(rs io.ReadSeeker) ReadSeekerAt { return &seekingReaderAt{rs: rs} }

type seekingReaderAt struct {
	mu sync.Mutex
	rs io.ReadSeeker
}

func (s *seekingReaderAt) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rs.Read(p)
}

func (s *seekingReaderAt) Seek(off int64, whence int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rs.Seek(off, whence)
}

func (s *seekingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.rs.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(s.rs, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}

// ShortWriterAt returns a WriterAt that writes only the first half of
// each p of two bytes or more and returns a nil error: it breaks
// [WriteAtShort].
func ShortWriterAt(wa io.WriterAt) io.WriterAt { return shortWriterAt{wa} }

type shortWriterAt struct{ wa io.WriterAt }

func (s shortWriterAt) WriteAt(p []byte, off int64) (int, error) {
	if len(p) >= 2 {
		p = p[:len(p)/2]
	}
	return s.wa.WriteAt(p, off)
}

// WriteSeekerAt is a Writer, Seeker and WriterAt.
type WriteSeekerAt interface {
	io.WriteSeeker
	io.WriterAt
}

// SeekingWriterAt returns a WriteSeekerAt whose WriteAt seeks ws to off
// and writes there, leaving the offset moved: it breaks [WriteAtOffset].
// Its calls are serialised, so it breaks no other rule.
func SeekingWriterAt(ws io.WriteSeeker) WriteSeekerAt { return &seekingWriterAt{ws: ws} }

type seekingWriterAt struct {
	mu sync.Mutex
	ws io.WriteSeeker
}

func (s *seekingWriterAt) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws.Write(p)
}

func (s *seekingWriterAt) Seek(off int64, whence int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws.Seek(off, whence)
}

func (s *seekingWriterAt) WriteAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.ws.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return s.ws.Write(p)
}

// AnyWhenceSeeker returns a ReadSeeker that treats any whence other than
// io.SeekStart, io.SeekCurrent and io.SeekEnd as io.SeekStart instead of
// failing: it breaks [SeekWhence].
func AnyWhenceSeeker(rs io.ReadSeeker) io.ReadSeeker { return anyWhence{rs} }

type anyWhence struct{ io.ReadSeeker }

func (a anyWhence) Seek(off int64, whence int) (int64, error) {
	if whence < io.SeekStart || whence > io.SeekEnd {
		whence = io.SeekStart
	}
	return a.ReadSeeker.Seek(off, whence)
}

// NegativeSeeker returns a ReadSeeker that answers a seek before the
// start with the negative offset and a nil error (without moving): it
// breaks [SeekNegative].
func NegativeSeeker(rs io.ReadSeeker) io.ReadSeeker { return negativeSeeker{rs} }

type negativeSeeker struct{ io.ReadSeeker }

func (n negativeSeeker) Seek(off int64, whence int) (int64, error) {
	var base int64
	switch whence {
	case io.SeekCurrent, io.SeekEnd:
		cur, err := n.ReadSeeker.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, err
		}
		base = cur
		if whence == io.SeekEnd {
			if base, err = n.ReadSeeker.Seek(0, io.SeekEnd); err != nil {
				return 0, err
			}
			if _, err := n.ReadSeeker.Seek(cur, io.SeekStart); err != nil {
				return 0, err
			}
		}
	}
	if base+off < 0 {
		return base + off, nil
	}
	return n.ReadSeeker.Seek(off, whence)
}

// EOFReaderFrom returns a ReaderFrom that passes on to rf and returns
// io.EOF instead of a nil error: it breaks [ReadFromEOF].
func EOFReaderFrom(rf io.ReaderFrom) io.ReaderFrom { return eofReaderFrom{rf} }

type eofReaderFrom struct{ rf io.ReaderFrom }

func (e eofReaderFrom) ReadFrom(r io.Reader) (int64, error) {
	n, err := e.rf.ReadFrom(r)
	if err == nil {
		err = io.EOF
	}
	return n, err
}

// MiscountWriterTo returns a WriterTo that passes on to wt and reports one
// byte more than it wrote: it breaks [WriteToCount].
func MiscountWriterTo(wt io.WriterTo) io.WriterTo { return miscountWriterTo{wt} }

type miscountWriterTo struct{ wt io.WriterTo }

func (m miscountWriterTo) WriteTo(w io.Writer) (int64, error) {
	n, err := m.wt.WriteTo(w)
	return n + 1, err
}

// ReadSeekWriterTo is a Reader, Seeker and WriterTo.
type ReadSeekWriterTo interface {
	io.ReadSeeker
	io.WriterTo
}

// ErrDroppingWriterTo returns a ReadSeekWriterTo whose WriteTo ignores
// the destination's errors and keeps reading rs to the end: it breaks
// [WriteToError].
func ErrDroppingWriterTo(rs io.ReadSeeker) ReadSeekWriterTo { return errDropping{rs} }

type errDropping struct{ io.ReadSeeker }

func (e errDropping) WriteTo(w io.Writer) (int64, error) {
	var total int64
	buf := make([]byte, 4)
	for {
		n, err := e.Read(buf)
		if n > 0 {
			m, _ := w.Write(buf[:n])
			total += int64(m)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// ForgetfulUnreadByte returns a ByteScanner whose UnreadByte returns nil
// and does nothing: it breaks [UnreadByteRule].
func ForgetfulUnreadByte(bs io.ByteScanner) io.ByteScanner { return forgetful{bs} }

type forgetful struct{ io.ByteScanner }

func (forgetful) UnreadByte() error { return nil }

// RuneByteScanner is a RuneReader that can also unread a byte, as
// *bytes.Reader, *strings.Reader and *bufio.Reader can.
type RuneByteScanner interface {
	io.RuneReader
	io.ByteScanner
}

// ByteUnreadRune returns a RuneScanner whose UnreadRune unreads a single
// byte, which is wrong for any rune encoded in more than one byte: it
// breaks [UnreadRuneRule].
func ByteUnreadRune(rs RuneByteScanner) io.RuneScanner { return byteUnreadRune{rs} }

type byteUnreadRune struct{ rs RuneByteScanner }

func (b byteUnreadRune) ReadRune() (rune, int, error) { return b.rs.ReadRune() }
func (b byteUnreadRune) UnreadRune() error            { return b.rs.UnreadByte() }
