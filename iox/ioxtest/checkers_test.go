package ioxtest_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/deferio/deferio/iox"
	"github.com/deferio/deferio/iox/ioxtest"
)

// content is what the readers under test hold: text long enough for
// several buffer sizes, with multi-byte runes.
var content = []byte(strings.Repeat("The quick brown fox — jumps over the lazy dog; ünïcödé ✓ 12345\n", 120))

func tempFile(t *testing.T, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func emptyFile(t *testing.T) *os.File { return tempFile(t, nil) }

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustSection(t *testing.T, ra io.ReaderAt, off, n int64) *iox.Section {
	t.Helper()
	s, err := iox.NewSection(ra, off, n)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// padded is content with 100 bytes of junk on each side, for section views.
func padded() []byte {
	return append(append(bytes.Repeat([]byte{'#'}, 100), content...), bytes.Repeat([]byte{'#'}, 100)...)
}

func fileBytes(f *os.File) func() ([]byte, error) {
	return func() ([]byte, error) { return os.ReadFile(f.Name()) }
}

func TestReaderPassesStandardAndIox(t *testing.T) {
	var tr iox.Tracer
	multi, err := iox.NewMultiReaderAt(bytes.NewReader(content[:1000]), strings.NewReader(string(content[1000:])))
	if err != nil {
		t.Fatal(err)
	}
	multiRS, _ := iox.NewReadSeeker(multi, multi.Size())
	cases := map[string]func(t *testing.T) io.Reader{
		"bytes.Reader":   func(*testing.T) io.Reader { return bytes.NewReader(content) },
		"strings.Reader": func(*testing.T) io.Reader { return strings.NewReader(string(content)) },
		"os.File":        func(t *testing.T) io.Reader { return tempFile(t, content) },
		"io.SectionReader": func(*testing.T) io.Reader {
			return io.NewSectionReader(bytes.NewReader(padded()), 100, int64(len(content)))
		},
		"bufio.Reader": func(*testing.T) io.Reader { return bufio.NewReaderSize(bytes.NewReader(content), 16) },
		"gzip.Reader":  gzipReader,
		// iotest.DataErrReader would do, but it spins forever on Read of an
		// empty buffer (it waits for n > 0 or an error), so it fails the
		// Read.empty rule by hanging.
		"EOF with the last data": func(*testing.T) io.Reader { return &eofWithData{data: content} },
		"iotest.HalfReader":      func(*testing.T) io.Reader { return iotest.HalfReader(bytes.NewReader(content)) },
		"iox.CountingReader":     func(t *testing.T) io.Reader { return iox.NewCountingReader(tempFile(t, content)) },
		"iox.Tracer.Reader":      func(*testing.T) io.Reader { return tr.Reader("src", bytes.NewReader(content)) },
		"iox.ProgressReader":     func(*testing.T) io.Reader { return iox.NewProgressReader(bytes.NewReader(content), -1, 100, nil) },
		"iox.Section":            func(t *testing.T) io.Reader { return mustSection(t, tempFile(t, padded()), 100, int64(len(content))) },
		"iox.MultiReaderAt":      func(*testing.T) io.Reader { multiRS.Seek(0, io.SeekStart); return multiRS },
		"iox.TeeReader":          func(*testing.T) io.Reader { return iox.TeeReader(bytes.NewReader(content), io.Discard) },
		"iox.OnlyReader":         func(*testing.T) io.Reader { return iox.OnlyReader(bytes.NewReader(content)) },
		"ioxtest.ZeroReader(3)":  func(*testing.T) io.Reader { return ioxtest.ZeroReader(bytes.NewReader(content), 3) },
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			ioxtest.Report(t, "TestReader", ioxtest.TestReader(mk(t), content))
		})
	}
}

func gzipReader(t *testing.T) io.Reader {
	zr, err := gzip.NewReader(bytes.NewReader(gzipped(t, content)))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

func TestWriterPassesStandardAndIox(t *testing.T) {
	type mk func(t *testing.T) (io.Writer, func() ([]byte, error))
	buffer := func(*testing.T) (io.Writer, func() ([]byte, error)) {
		var b bytes.Buffer
		return &b, func() ([]byte, error) { return b.Bytes(), nil }
	}
	cases := map[string]mk{
		"bytes.Buffer": buffer,
		"os.File": func(t *testing.T) (io.Writer, func() ([]byte, error)) {
			f := emptyFile(t)
			return f, fileBytes(f)
		},
		"bufio.Writer": func(*testing.T) (io.Writer, func() ([]byte, error)) {
			var b bytes.Buffer
			bw := bufio.NewWriterSize(&b, 64)
			return bw, func() ([]byte, error) { err := bw.Flush(); return b.Bytes(), err }
		},
		"gzip.Writer": func(*testing.T) (io.Writer, func() ([]byte, error)) {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			return zw, func() ([]byte, error) {
				if err := zw.Close(); err != nil {
					return nil, err
				}
				zr, err := gzip.NewReader(&b)
				if err != nil {
					return nil, err
				}
				return io.ReadAll(zr)
			}
		},
		"iox.CountingWriter": func(t *testing.T) (io.Writer, func() ([]byte, error)) {
			f := emptyFile(t)
			return iox.NewCountingWriter(f), fileBytes(f)
		},
		"iox.Tracer.Writer": func(t *testing.T) (io.Writer, func() ([]byte, error)) {
			w, got := buffer(t)
			return new(iox.Tracer).Writer("dst", w), got
		},
		"iox.MultiWriter": func(t *testing.T) (io.Writer, func() ([]byte, error)) {
			a, b := emptyFile(t), emptyFile(t)
			return iox.MultiWriter(a, b), func() ([]byte, error) {
				x, err1 := os.ReadFile(a.Name())
				y, err2 := os.ReadFile(b.Name())
				if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
					return nil, io.ErrUnexpectedEOF
				}
				return x, nil
			}
		},
		"iox.SectionWriter": func(t *testing.T) (io.Writer, func() ([]byte, error)) {
			f := emptyFile(t)
			sw, err := iox.NewSectionWriter(f, 10, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			return sw, func() ([]byte, error) {
				b, err := os.ReadFile(f.Name())
				return b[10:], err
			}
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			w, got := mk(t)
			ioxtest.Report(t, "TestWriter", ioxtest.TestWriter(w, got))
		})
	}
}

func TestSeekerPassesStandardAndIox(t *testing.T) {
	cases := map[string]func(t *testing.T) io.Seeker{
		"bytes.Reader":   func(*testing.T) io.Seeker { return bytes.NewReader(content) },
		"strings.Reader": func(*testing.T) io.Seeker { return strings.NewReader(string(content)) },
		"os.File":        func(t *testing.T) io.Seeker { return tempFile(t, content) },
		"io.SectionReader": func(*testing.T) io.Seeker {
			return io.NewSectionReader(bytes.NewReader(padded()), 100, int64(len(content)))
		},
		"iox.Section":        func(t *testing.T) io.Seeker { return mustSection(t, tempFile(t, padded()), 100, int64(len(content))) },
		"iox.CountingReader": func(t *testing.T) io.Seeker { return iox.NewCountingReader(tempFile(t, content)).(io.Seeker) },
		"iox.Tracer.Reader":  func(t *testing.T) io.Seeker { return new(iox.Tracer).Reader("f", tempFile(t, content)).(io.Seeker) },
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			ioxtest.Report(t, "TestSeeker", ioxtest.TestSeeker(mk(t), content))
		})
	}
}

func TestReaderAtPassesStandardAndIox(t *testing.T) {
	cases := map[string]func(t *testing.T) io.ReaderAt{
		"bytes.Reader":   func(*testing.T) io.ReaderAt { return bytes.NewReader(content) },
		"strings.Reader": func(*testing.T) io.ReaderAt { return strings.NewReader(string(content)) },
		"os.File":        func(t *testing.T) io.ReaderAt { return tempFile(t, content) },
		"io.SectionReader": func(*testing.T) io.ReaderAt {
			return io.NewSectionReader(bytes.NewReader(padded()), 100, int64(len(content)))
		},
		"iox.Section": func(t *testing.T) io.ReaderAt { return mustSection(t, tempFile(t, padded()), 100, int64(len(content))) },
		"iox.MultiReaderAt": func(t *testing.T) io.ReaderAt {
			m, err := iox.NewMultiReaderAt(bytes.NewReader(content[:7]), mustSection(t, tempFile(t, content), 7, 2000), strings.NewReader(string(content[2007:])))
			if err != nil {
				t.Fatal(err)
			}
			return m
		},
		"iox.CountingReader": func(t *testing.T) io.ReaderAt { return iox.NewCountingReader(tempFile(t, content)).(io.ReaderAt) },
		"iox.Tracer.Reader":  func(t *testing.T) io.ReaderAt { return new(iox.Tracer).Reader("f", tempFile(t, content)).(io.ReaderAt) },
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			ioxtest.Report(t, "TestReaderAt", ioxtest.TestReaderAt(mk(t), content))
		})
	}
}

func TestWriterAtPassesStandardAndIox(t *testing.T) {
	cases := map[string]func(t *testing.T) (io.WriterAt, func() ([]byte, error)){
		"os.File": func(t *testing.T) (io.WriterAt, func() ([]byte, error)) {
			f := emptyFile(t)
			return f, fileBytes(f)
		},
		"io.OffsetWriter": func(t *testing.T) (io.WriterAt, func() ([]byte, error)) {
			f := emptyFile(t)
			return io.NewOffsetWriter(f, 5), func() ([]byte, error) {
				b, err := os.ReadFile(f.Name())
				return b[5:], err
			}
		},
		"iox.SectionWriter": func(t *testing.T) (io.WriterAt, func() ([]byte, error)) {
			f := emptyFile(t)
			sw, err := iox.NewSectionWriter(f, 5, 64<<10)
			if err != nil {
				t.Fatal(err)
			}
			return sw, func() ([]byte, error) {
				b, err := os.ReadFile(f.Name())
				return b[5:], err
			}
		},
		"iox.CountingWriter": func(t *testing.T) (io.WriterAt, func() ([]byte, error)) {
			f := emptyFile(t)
			return iox.NewCountingWriter(f).(io.WriterAt), fileBytes(f)
		},
		"iox.MultiWriter": func(t *testing.T) (io.WriterAt, func() ([]byte, error)) {
			a, b := emptyFile(t), emptyFile(t)
			return iox.MultiWriter(a, b).(io.WriterAt), func() ([]byte, error) {
				x, _ := os.ReadFile(a.Name())
				y, err := os.ReadFile(b.Name())
				if !bytes.Equal(x, y) {
					return nil, io.ErrShortWrite
				}
				return y, err
			}
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			wa, got := mk(t)
			ioxtest.Report(t, "TestWriterAt", ioxtest.TestWriterAt(wa, 64<<10, got))
		})
	}
}

func TestReaderFromPassesStandardAndIox(t *testing.T) {
	cases := map[string]func(t *testing.T) (io.ReaderFrom, func() ([]byte, error)){
		"bytes.Buffer": func(*testing.T) (io.ReaderFrom, func() ([]byte, error)) {
			var b bytes.Buffer
			return &b, func() ([]byte, error) { return b.Bytes(), nil }
		},
		"os.File": func(t *testing.T) (io.ReaderFrom, func() ([]byte, error)) {
			f := emptyFile(t)
			return f, fileBytes(f)
		},
		// Over a plain Writer: over a ReaderFrom, bufio.Writer.ReadFrom keeps
		// the source's error as its own (TestBufioWriterKeepsSourceError).
		"bufio.Writer": func(*testing.T) (io.ReaderFrom, func() ([]byte, error)) {
			var b bytes.Buffer
			bw := bufio.NewWriterSize(iox.OnlyWriter(&b), 100)
			return bw, func() ([]byte, error) { err := bw.Flush(); return b.Bytes(), err }
		},
		"iox.CountingWriter(os.File)": func(t *testing.T) (io.ReaderFrom, func() ([]byte, error)) {
			f := emptyFile(t)
			return iox.NewCountingWriter(f), fileBytes(f)
		},
		"iox.CountingWriter(OnlyWriter)": func(t *testing.T) (io.ReaderFrom, func() ([]byte, error)) {
			var b bytes.Buffer
			return iox.NewCountingWriter(iox.OnlyWriter(&b)), func() ([]byte, error) { return b.Bytes(), nil }
		},
		"iox.Tracer.Writer": func(t *testing.T) (io.ReaderFrom, func() ([]byte, error)) {
			f := emptyFile(t)
			return new(iox.Tracer).Writer("f", f).(io.ReaderFrom), fileBytes(f)
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			rf, got := mk(t)
			ioxtest.Report(t, "TestReaderFrom", ioxtest.TestReaderFrom(rf, got))
		})
	}
}

func TestWriterToPassesStandardAndIox(t *testing.T) {
	cases := map[string]func(t *testing.T) io.WriterTo{
		"bytes.Reader":       func(*testing.T) io.WriterTo { return bytes.NewReader(content) },
		"strings.Reader":     func(*testing.T) io.WriterTo { return strings.NewReader(string(content)) },
		"os.File":            func(t *testing.T) io.WriterTo { return tempFile(t, content) },
		"bufio.Reader":       func(*testing.T) io.WriterTo { return bufio.NewReaderSize(bytes.NewReader(content), 16) },
		"iox.Section":        func(t *testing.T) io.WriterTo { return mustSection(t, tempFile(t, padded()), 100, int64(len(content))) },
		"iox.CountingReader": func(t *testing.T) io.WriterTo { return iox.NewCountingReader(tempFile(t, content)) },
		"iox.CountingReader(OnlyReader)": func(t *testing.T) io.WriterTo {
			return iox.NewCountingReader(iox.OnlyReader(bytes.NewReader(content)))
		},
		"iox.Tracer.Reader": func(t *testing.T) io.WriterTo { return new(iox.Tracer).Reader("f", tempFile(t, content)).(io.WriterTo) },
		"iox.ProgressReader": func(*testing.T) io.WriterTo {
			return iox.NewProgressReader(bytes.NewReader(content), -1, 1000, nil).(io.WriterTo)
		},
		"iox.TeeReader": func(*testing.T) io.WriterTo { return iox.TeeReader(bytes.NewReader(content), io.Discard).(io.WriterTo) },
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			ioxtest.Report(t, "TestWriterTo", ioxtest.TestWriterTo(mk(t), content))
		})
	}
}

func TestScannersPassStandard(t *testing.T) {
	withInvalid := append(append([]byte(nil), content[:300]...), 0xff, 'x', 0xe2, 0x82)
	cases := map[string]func([]byte) interface {
		io.ByteScanner
		io.RuneScanner
	}{
		"bytes.Reader": func(b []byte) interface {
			io.ByteScanner
			io.RuneScanner
		} {
			return bytes.NewReader(b)
		},
		"strings.Reader": func(b []byte) interface {
			io.ByteScanner
			io.RuneScanner
		} {
			return strings.NewReader(string(b))
		},
		"bufio.Reader": func(b []byte) interface {
			io.ByteScanner
			io.RuneScanner
		} {
			return bufio.NewReaderSize(bytes.NewReader(b), 16)
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			for _, c := range [][]byte{content, withInvalid} {
				ioxtest.Report(t, "TestByteScanner", ioxtest.TestByteScanner(mk(c), c))
				ioxtest.Report(t, "TestRuneScanner", ioxtest.TestRuneScanner(mk(c), c))
			}
		})
	}
}

// eofWithData returns its last bytes together with io.EOF, which the Read
// contract allows.
type eofWithData struct{ data []byte }

func (e *eofWithData) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	if len(e.data) == 0 {
		return n, io.EOF
	}
	return n, nil
}

// TestBufioWriterKeepsSourceError shows a quirk of bufio.Writer.ReadFrom
// (bufio/bufio.go, Writer.ReadFrom): when its buffer is empty and the
// underlying writer is an io.ReaderFrom, it hands the copy over and stores
// the returned error as the Writer's own. A source that fails therefore
// poisons the Writer: Flush and Write fail afterwards with the source's
// error, although the destination is fine. Over a plain Writer the same
// failure leaves the Writer usable.
func TestBufioWriterKeepsSourceError(t *testing.T) {
	errSrc := io.ErrClosedPipe
	src := func() io.Reader { return io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(errSrc)) }

	var b bytes.Buffer
	bw := bufio.NewWriter(&b) // *bytes.Buffer has ReadFrom
	if _, err := bw.ReadFrom(src()); err != errSrc {
		t.Fatalf("ReadFrom = %v, want the source's error", err)
	}
	if _, err := bw.Write([]byte("x")); err != errSrc {
		t.Errorf("Write after the source failed = %v, want the source's error kept by the Writer", err)
	}
	if err := bw.Flush(); err != errSrc {
		t.Errorf("Flush after the source failed = %v, want the source's error kept by the Writer", err)
	}

	var b2 bytes.Buffer
	bw2 := bufio.NewWriter(iox.OnlyWriter(&b2))
	if _, err := bw2.ReadFrom(src()); err != errSrc {
		t.Fatalf("ReadFrom = %v, want the source's error", err)
	}
	if _, err := bw2.Write([]byte("x")); err != nil {
		t.Errorf("Write over a plain Writer after the source failed = %v, want nil", err)
	}
	if err := bw2.Flush(); err != nil || b2.String() != "abcx" {
		t.Errorf("Flush = %v with %q, want nil with \"abcx\"", err, b2.String())
	}
}
