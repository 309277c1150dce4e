package iox

import (
	"errors"
	"fmt"
	"io"
)

// ErrWhence is returned by Seek for a whence other than io.SeekStart,
// io.SeekCurrent or io.SeekEnd.
var ErrWhence = errors.New("iox: invalid whence")

// ErrNegativeOffset is returned by Seek when the new offset would be
// before the start, and by ReadAt and WriteAt for a negative offset.
var ErrNegativeOffset = errors.New("iox: negative offset")

// ErrSectionFull is returned by a [SectionWriter] for bytes that would go
// past the end of its section.
var ErrSectionFull = errors.New("iox: write past the end of the section")

// checkSection validates off and n of a section view.
func checkSection(off, n int64) error {
	if off < 0 {
		return fmt.Errorf("unable to make a section at offset %d: %w", off, ErrNegativeOffset)
	}
	if n < 0 {
		return fmt.Errorf("unable to make a section of %d bytes: the size is negative", n)
	}
	if off > 1<<63-1-n {
		return fmt.Errorf("unable to make a section of %d bytes at offset %d: the end overflows int64", n, off)
	}
	return nil
}

// seekTo computes a Seek over [0, size) from cur, following os.File: any
// non-negative result is allowed, past the end too.
func seekTo(cur, size, offset int64, whence int) (int64, error) {
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = cur
	case io.SeekEnd:
		base = size
	default:
		return cur, fmt.Errorf("unable to seek with whence %d: %w", whence, ErrWhence)
	}
	if (offset > 0 && base > 1<<63-1-offset) || base+offset < 0 {
		return cur, fmt.Errorf("unable to seek to %d%+d: %w", base, offset, ErrNegativeOffset)
	}
	return base + offset, nil
}

// A Section is a Read, Seek, ReadAt and WriteTo view of n bytes of an
// io.ReaderAt, starting at an offset, like io.SectionReader. Offsets given
// to and returned by its methods are relative to the start of the section.
//
// Contract: Read and ReadAt never go past the end of the section. ReadAt
// does not use or move the Section's offset, and parallel ReadAt calls are
// safe when the underlying ReadAt is. Seek accepts io.SeekStart,
// io.SeekCurrent and io.SeekEnd, refuses a negative result with
// [ErrNegativeOffset] and an unknown whence with [ErrWhence], and changes
// nothing when it fails. A Section is not safe for concurrent Read/Seek.
//
// Fast paths: unlike io.SectionReader, a Section implements io.WriterTo.
// When the ReaderAt is an *os.File and the destination is an *os.File,
// WriteTo uses copy_file_range with an explicit source offset; when the
// destination is a *net.TCPConn or a unix stream *net.UnixConn, it uses
// sendfile with an explicit offset. Neither moves the source file's own
// offset. Otherwise, or when the kernel refuses, WriteTo copies through a
// 32 KiB buffer with ReadAt and Write.
type Section struct {
	ra    io.ReaderAt
	base  int64
	off   int64 // relative to base
	limit int64 // size of the section
}

// NewSection returns a Section of n bytes of ra starting at off. It
// returns an error, and no Section, when off or n is negative or off+n
// overflows.
func NewSection(ra io.ReaderAt, off, n int64) (*Section, error) {
	if ra == nil {
		return nil, errors.New("unable to make a section: the ReaderAt is nil")
	}
	if err := checkSection(off, n); err != nil {
		return nil, err
	}
	return &Section{ra: ra, base: off, limit: n}, nil
}

// NewReadSeeker returns a Read, Seek, ReadAt and WriteTo view of the first
// size bytes of ra: it turns anything that can ReadAt, and whose size is
// known, into an io.ReadSeeker (for http.ServeContent, say). It is
// NewSection(ra, 0, size).
func NewReadSeeker(ra io.ReaderAt, size int64) (*Section, error) {
	return NewSection(ra, 0, size)
}

// Size returns the size of the section in bytes.
func (s *Section) Size() int64 { return s.limit }

// Outer returns the ReaderAt, offset and size the Section was made with.
func (s *Section) Outer() (io.ReaderAt, int64, int64) { return s.ra, s.base, s.limit }

// Read reads from the section at its current offset.
func (s *Section) Read(p []byte) (int, error) {
	if s.off >= s.limit {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if rest := s.limit - s.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.ra.ReadAt(p, s.base+s.off)
	s.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil // the next Read returns EOF
	}
	return n, err
}

// Seek sets the offset for the next Read, relative to the section.
func (s *Section) Seek(offset int64, whence int) (int64, error) {
	off, err := seekTo(s.off, s.limit, offset, whence)
	if err != nil {
		return s.off, err
	}
	s.off = off
	return off, nil
}

// ReadAt reads len(p) bytes at offset off of the section. A read that
// reaches the end of the section returns io.EOF with the bytes before it.
func (s *Section) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("unable to read at offset %d: %w", off, ErrNegativeOffset)
	}
	if off >= s.limit {
		return 0, io.EOF
	}
	if rest := s.limit - off; int64(len(p)) > rest {
		n, err := s.ra.ReadAt(p[:rest], s.base+off)
		if err == nil {
			err = io.EOF
		}
		return n, err
	}
	return s.ra.ReadAt(p, s.base+off)
}

// WriteTo writes the rest of the section to w and moves the offset to
// the end of what was written.
func (s *Section) WriteTo(w io.Writer) (int64, error) {
	rest := s.limit - s.off
	if rest <= 0 {
		return 0, nil
	}
	n, handled, err := writeAtTo(w, s.ra, s.base+s.off, rest)
	s.off += n
	if handled || err != nil {
		return n, err
	}
	m, err := copyAt(w, s.ra, s.base+s.off, s.limit-s.off)
	s.off += m
	return n + m, err
}

// copyAt copies up to n bytes at off of ra to w through a buffer. It stops
// without error when ra reaches its end early, as io.Copy does at EOF.
func copyAt(w io.Writer, ra io.ReaderAt, off, n int64) (int64, error) {
	buf := make([]byte, min(n, 32<<10))
	var written int64
	for written < n {
		p := buf[:min(int64(len(buf)), n-written)]
		nr, er := ra.ReadAt(p, off+written)
		if nr > 0 {
			nw, ew := w.Write(p[:nr])
			if nw < 0 || nw > nr {
				if ew == nil {
					ew = fmt.Errorf("unable to write: Write returned %d for %d bytes", nw, nr)
				}
				nw = 0
			}
			written += int64(nw)
			if ew != nil {
				return written, ew
			}
			if nw != nr {
				return written, io.ErrShortWrite
			}
		}
		if er == io.EOF {
			return written, nil
		}
		if er != nil {
			return written, er
		}
	}
	return written, nil
}

// A SectionWriter is a Write, WriteAt and Seek view of n bytes of an
// io.WriterAt starting at an offset: io.OffsetWriter with an end.
//
// Contract: a write that would cross the end of the section writes the
// bytes that fit and returns [ErrSectionFull] with their count, so n <
// len(p) always comes with an error. WriteAt does not use or move the
// offset, and parallel WriteAt calls on non-overlapping ranges are safe
// when the underlying WriteAt is. Seek follows [Section.Seek]. It
// forwards no fast path: io.Copy into it goes through a buffer.
type SectionWriter struct {
	wa    io.WriterAt
	base  int64
	off   int64
	limit int64
}

// NewSectionWriter returns a SectionWriter of n bytes of wa starting at
// off, or an error when off or n is negative or off+n overflows.
func NewSectionWriter(wa io.WriterAt, off, n int64) (*SectionWriter, error) {
	if wa == nil {
		return nil, errors.New("unable to make a section writer: the WriterAt is nil")
	}
	if err := checkSection(off, n); err != nil {
		return nil, err
	}
	return &SectionWriter{wa: wa, base: off, limit: n}, nil
}

// Size returns the size of the section in bytes.
func (s *SectionWriter) Size() int64 { return s.limit }

// Write writes p at the current offset and advances it.
func (s *SectionWriter) Write(p []byte) (int, error) {
	n, err := s.WriteAt(p, s.off)
	s.off += int64(n)
	return n, err
}

// WriteAt writes p at offset off of the section.
func (s *SectionWriter) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("unable to write at offset %d: %w", off, ErrNegativeOffset)
	}
	if off >= s.limit {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, ErrSectionFull
	}
	full := false
	if rest := s.limit - off; int64(len(p)) > rest {
		p, full = p[:rest], true
	}
	n, err := s.wa.WriteAt(p, s.base+off)
	if err == nil && full {
		err = ErrSectionFull
	}
	return n, err
}

// Seek sets the offset for the next Write, relative to the section.
func (s *SectionWriter) Seek(offset int64, whence int) (int64, error) {
	off, err := seekTo(s.off, s.limit, offset, whence)
	if err != nil {
		return s.off, err
	}
	s.off = off
	return off, nil
}

var (
	_ io.ReadSeeker  = (*Section)(nil)
	_ io.ReaderAt    = (*Section)(nil)
	_ io.WriterTo    = (*Section)(nil)
	_ io.WriteSeeker = (*SectionWriter)(nil)
	_ io.WriterAt    = (*SectionWriter)(nil)
	_ io.ReaderAt    = (*MultiReaderAt)(nil)
)
