package iox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/deferio/deferio/iox"
	"github.com/deferio/deferio/iox/ioxtest"
)

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The optional methods of a wrapper mirror those of what it wraps.
func TestMethodSetsMirror(t *testing.T) {
	var tr iox.Tracer
	type has struct{ wt, seek, at bool }
	check := func(name string, r io.Reader, want has) {
		t.Helper()
		_, wt := r.(io.WriterTo)
		_, s := r.(io.Seeker)
		_, at := r.(io.ReaderAt)
		if got := (has{wt, s, at}); got != want {
			t.Errorf("%s: WriterTo, Seeker, ReaderAt = %v, want %v", name, got, want)
		}
	}
	check("Tracer(strings.Reader)", tr.Reader("r", strings.NewReader("x")), has{true, true, true})
	check("Tracer(OnlyReader)", tr.Reader("r", iox.OnlyReader(strings.NewReader("x"))), has{false, false, false})
	check("Tracer(LimitReader)", tr.Reader("r", io.LimitReader(strings.NewReader("x"), 1)), has{false, false, false})
	check("Tracer(SectionReader)", tr.Reader("r", io.NewSectionReader(strings.NewReader("x"), 0, 1)), has{false, true, true})
	check("Counting(strings.Reader)", iox.NewCountingReader(strings.NewReader("x")), has{true, true, true})
	check("Counting(OnlyReader)", iox.NewCountingReader(iox.OnlyReader(strings.NewReader("x"))), has{true, false, false})
	check("Progress", iox.NewProgressReader(strings.NewReader("x"), 1, 0, nil), has{true, false, false})
	check("Tee(strings.Reader)", iox.TeeReader(strings.NewReader("x"), io.Discard), has{true, false, false})
	check("Tee(OnlyReader)", iox.TeeReader(iox.OnlyReader(strings.NewReader("x")), io.Discard), has{false, false, false})

	w := tr.Writer("w", &bytes.Buffer{})
	if _, ok := w.(io.ReaderFrom); !ok {
		t.Error("Tracer(bytes.Buffer) hides ReadFrom")
	}
	if _, ok := w.(io.Seeker); ok {
		t.Error("Tracer(bytes.Buffer) invents Seek")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, w := range map[string]io.Writer{"Tracer": tr.Writer("f", f), "Counting": iox.NewCountingWriter(f)} {
		_, rf := w.(io.ReaderFrom)
		_, s := w.(io.Seeker)
		_, at := w.(io.WriterAt)
		if !rf || !s || !at {
			t.Errorf("%s(os.File): ReaderFrom, Seeker, WriterAt = %v %v %v, want all", name, rf, s, at)
		}
	}
}

// A traced copy nests the calls a WriteTo makes one level deeper.
func TestTracerDepthAndOnCall(t *testing.T) {
	var live []string
	tr := iox.Tracer{OnCall: func(c iox.Call) { live = append(live, c.Method) }}
	var buf bytes.Buffer
	io.Copy(tr.Writer("dst", &buf), tr.Reader("src", iotest.OneByteReader(strings.NewReader("ab"))))
	calls := tr.Calls()
	if len(calls) == 0 || calls[0].Method != "ReadFrom" || calls[0].Depth != 0 || calls[0].N != 2 {
		t.Fatalf("first call = %+v, want dst.ReadFrom at depth 0 returning 2", calls)
	}
	for _, c := range calls[1:] {
		if c.Depth != 1 || c.Name != "src" || c.Method != "Read" {
			t.Errorf("call %v: want src.Read at depth 1", c)
		}
	}
	if len(live) != len(calls) || live[len(live)-1] != "ReadFrom" {
		t.Errorf("OnCall saw %v, want every call, the outer ReadFrom last", live)
	}
	tr.Reset()
	if len(tr.Calls()) != 0 {
		t.Error("Reset kept calls")
	}
	s := iox.Call{Name: "f", Method: "Seek", Off: -2, Whence: io.SeekEnd, N: 8}.String()
	if s != "f.Seek(-2, io.SeekEnd) = 8, <nil>" {
		t.Errorf("Call.String = %q", s)
	}
}

// A Reset while a traced WriteTo runs forgets that call: when it returns
// it neither overwrites a newer call nor leaves the depth negative.
func TestTracerResetDuringCall(t *testing.T) {
	var tr iox.Tracer
	src := tr.Reader("src", writerToFunc(func(w io.Writer) (int64, error) {
		tr.Reset()
		n, err := tr.Writer("inner", w).Write([]byte("abc"))
		return int64(n), err
	}))
	if n, err := io.Copy(io.Discard, src); n != 3 || err != nil {
		t.Fatalf("copy = %d, %v, want 3, nil", n, err)
	}
	tr.Reader("after", strings.NewReader("x")).Read(make([]byte, 1))
	want := "inner.Write(len=3) = 3, <nil>\nafter.Read(len=1) = 1, <nil>\n"
	if got := tr.String(); got != want {
		t.Errorf("trace after a Reset during WriteTo:\n%s\nwant:\n%s", got, want)
	}
}

// writerToFunc is a Reader with nothing to read whose WriteTo is f.
type writerToFunc func(io.Writer) (int64, error)

func (f writerToFunc) Read([]byte) (int, error)           { return 0, io.EOF }
func (f writerToFunc) WriteTo(w io.Writer) (int64, error) { return f(w) }

// Progress reports grow, end with one Final report, and keep counting on
// the Read path as on the WriteTo path.
func TestProgressReports(t *testing.T) {
	data := strings.Repeat("p", 10000)
	for _, path := range []string{"Read", "WriteTo"} {
		var reps []iox.Progress
		pr := iox.NewProgressReader(strings.NewReader(data), int64(len(data)), 3000, func(p iox.Progress) { reps = append(reps, p) })
		var err error
		if path == "Read" {
			_, err = io.Copy(io.Discard, iox.OnlyReader(pr))
		} else {
			_, err = io.Copy(io.Discard, pr)
		}
		if err != nil {
			t.Fatal(err)
		}
		// io.Discard reads 8 KiB at a time; WriteTo copies 3000 at a time.
		if want := map[string]int{"Read": 2, "WriteTo": 4}[path]; len(reps) < want {
			t.Fatalf("%s: %d reports, want at least %d: %+v", path, len(reps), want, reps)
		}
		for i := 1; i < len(reps); i++ {
			if reps[i].Done < reps[i-1].Done {
				t.Errorf("%s: Done went backwards: %+v", path, reps)
			}
		}
		last := reps[len(reps)-1]
		if !last.Final || last.Done != int64(len(data)) || last.Fraction() != 1 {
			t.Errorf("%s: last report %+v, want Final with all %d bytes", path, last, len(data))
		}
		for _, r := range reps[:len(reps)-1] {
			if r.Final {
				t.Errorf("%s: Final before the end: %+v", path, reps)
			}
		}
	}
	if f := (iox.Progress{Done: 5, Total: -1}).Fraction(); f != -1 {
		t.Errorf("Fraction with unknown total = %v, want -1", f)
	}
	// A failing source gives a Final report and its error.
	boom := errors.New("boom")
	var last iox.Progress
	pr := iox.NewProgressReader(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), -1, 1, func(p iox.Progress) { last = p })
	if _, err := io.Copy(io.Discard, pr); !errors.Is(err, boom) || !last.Final || last.Done != 3 {
		t.Errorf("copy = %v, last report %+v, want boom and a Final report at 3", err, last)
	}
}

func TestBadInputIsAnError(t *testing.T) {
	r := strings.NewReader("abc")
	for _, c := range []struct{ off, n int64 }{{-1, 1}, {0, -1}, {1 << 62, 1 << 62}} {
		if s, err := iox.NewSection(r, c.off, c.n); err == nil || s != nil {
			t.Errorf("NewSection(off=%d, n=%d) = %v, %v, want an error", c.off, c.n, s, err)
		}
		if s, err := iox.NewSectionWriter(writerAt(make([]byte, 4)), c.off, c.n); err == nil || s != nil {
			t.Errorf("NewSectionWriter(off=%d, n=%d) = %v, %v, want an error", c.off, c.n, s, err)
		}
	}
	if _, err := iox.NewSection(nil, 0, 1); err == nil {
		t.Error("NewSection(nil) gave no error")
	}
	s, _ := iox.NewSection(r, 0, 3)
	s.Seek(2, io.SeekStart)
	for _, w := range []int{-1, 3, 99} {
		if _, err := s.Seek(0, w); !errors.Is(err, iox.ErrWhence) {
			t.Errorf("Seek(0, %d) = %v, want ErrWhence", w, err)
		}
	}
	if _, err := s.Seek(-3, io.SeekCurrent); !errors.Is(err, iox.ErrNegativeOffset) {
		t.Errorf("Seek(-3, current) = %v, want ErrNegativeOffset", err)
	}
	if off, _ := s.Seek(0, io.SeekCurrent); off != 2 {
		t.Errorf("a failed Seek moved the offset to %d, want 2", off)
	}
	if _, err := s.ReadAt(make([]byte, 1), -1); !errors.Is(err, iox.ErrNegativeOffset) {
		t.Errorf("ReadAt(-1) = %v, want ErrNegativeOffset", err)
	}
	if _, err := iox.NewMultiReaderAt(strings.NewReader("a"), nil); err == nil {
		t.Error("NewMultiReaderAt with a nil part gave no error")
	}
	ctx := context.Background()
	if _, err := iox.ParallelCopy(ctx, writerAt(nil), r, -1, iox.ParallelOptions{}); err == nil {
		t.Error("ParallelCopy with a negative size gave no error")
	}
	if _, err := iox.ParallelCopy(ctx, writerAt(nil), r, 1, iox.ParallelOptions{Workers: -2}); err == nil {
		t.Error("ParallelCopy with negative workers gave no error")
	}
	if _, err := iox.ParallelCopy(ctx, nil, r, 1, iox.ParallelOptions{}); err == nil {
		t.Error("ParallelCopy into nil gave no error")
	}
}

// A part that is shorter than its Size is an error, not a gap.
func TestMultiReaderAtShortPart(t *testing.T) {
	liar := sized{strings.NewReader("ab"), 4}
	m, err := iox.NewMultiReaderAt(liar, strings.NewReader("cd"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := m.ReadAt(make([]byte, 6), 0)
	if n != 2 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ReadAt over a short part = %d, %v, want 2, ErrUnexpectedEOF", n, err)
	}
}

type sized struct {
	io.ReaderAt
	size int64
}

func (s sized) Size() int64 { return s.size }

func TestParallelCopy(t *testing.T) {
	data := bytes.Repeat([]byte("parallel copy 0123456789\n"), 40000) // ~1 MB
	ctx := context.Background()
	t.Run("files", func(t *testing.T) {
		src, err := os.Open(writeTemp(t, data))
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		dst, err := os.Create(filepath.Join(t.TempDir(), "dst"))
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		n, err := iox.ParallelCopy(ctx, dst, src, int64(len(data)), iox.ParallelOptions{Workers: 3, ChunkSize: 12345})
		got, _ := os.ReadFile(dst.Name())
		if err != nil || n != int64(len(data)) || !bytes.Equal(got, data) {
			t.Fatalf("ParallelCopy = %d, %v; equal %v", n, err, bytes.Equal(got, data))
		}
		if off, _ := src.Seek(0, io.SeekCurrent); off != 0 {
			t.Errorf("the source offset moved to %d", off)
		}
	})
	t.Run("buffers", func(t *testing.T) {
		dst := make(writerAt, len(data))
		n, err := iox.ParallelCopy(ctx, dst, bytes.NewReader(data), int64(len(data)), iox.ParallelOptions{Workers: 4, ChunkSize: 1000, BufferSize: 77})
		if err != nil || n != int64(len(data)) || !bytes.Equal(dst, data) {
			t.Fatalf("ParallelCopy = %d, %v; equal %v", n, err, bytes.Equal(dst, data))
		}
	})
	t.Run("short source", func(t *testing.T) {
		dst := make(writerAt, len(data)+100)
		_, err := iox.ParallelCopy(ctx, dst, bytes.NewReader(data), int64(len(data)+100), iox.ParallelOptions{ChunkSize: 4096})
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("ParallelCopy past the end of the source = %v, want ErrUnexpectedEOF", err)
		}
	})
	t.Run("size near MaxInt64", func(t *testing.T) {
		n, err := iox.ParallelCopy(ctx, make(writerAt, 3), strings.NewReader("abc"), math.MaxInt64, iox.ParallelOptions{})
		if n != 3 || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("ParallelCopy of %d bytes from 3 = %d, %v, want 3, ErrUnexpectedEOF", int64(math.MaxInt64), n, err)
		}
	})
	t.Run("short file source", func(t *testing.T) {
		src, _ := os.Open(writeTemp(t, data))
		defer src.Close()
		dst, _ := os.Create(filepath.Join(t.TempDir(), "dst"))
		defer dst.Close()
		_, err := iox.ParallelCopy(ctx, dst, src, int64(len(data)+100), iox.ParallelOptions{ChunkSize: 1 << 16})
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("ParallelCopy past the end of the file = %v, want ErrUnexpectedEOF", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := iox.ParallelCopy(cctx, make(writerAt, 10), strings.NewReader("0123456789"), 10, iox.ParallelOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ParallelCopy with a cancelled context = %v", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		n, err := iox.ParallelCopy(ctx, make(writerAt, 0), strings.NewReader(""), 0, iox.ParallelOptions{})
		if n != 0 || err != nil {
			t.Fatalf("ParallelCopy of nothing = %d, %v", n, err)
		}
	})
}

// Section.WriteTo falls back to ReadAt and Write when the kernel path does
// not apply (an O_APPEND destination refuses copy_file_range).
func TestSectionWriteToFallback(t *testing.T) {
	data := []byte(strings.Repeat("section fallback\n", 5000))
	src, _ := os.Open(writeTemp(t, data))
	defer src.Close()
	path := filepath.Join(t.TempDir(), "dst")
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	s, _ := iox.NewSection(src, 17, int64(len(data)-34))
	n, err := io.Copy(dst, s)
	got, _ := os.ReadFile(path)
	if err != nil || n != int64(len(data)-34) || !bytes.Equal(got, data[17:len(data)-17]) {
		t.Fatalf("copy = %d, %v; equal %v", n, err, bytes.Equal(got, data[17:len(data)-17]))
	}
	// A section past the end of its file ends early, as io.Copy would.
	long, _ := iox.NewSection(src, 10, int64(len(data)))
	n, err = long.WriteTo(io.Discard)
	if err != nil || n != int64(len(data)-10) {
		t.Fatalf("WriteTo of a section longer than its file = %d, %v", n, err)
	}
}

// A Writer that claims more than it was given stops Section.WriteTo with
// an error that says what it returned.
func TestSectionWriteToBadWriter(t *testing.T) {
	s, _ := iox.NewSection(strings.NewReader("abc"), 0, 3)
	n, err := s.WriteTo(overcounter{})
	if n != 0 || err == nil || !strings.Contains(err.Error(), "Write returned 4 for 3 bytes") {
		t.Errorf("WriteTo = %d, %v, want 0 and an error naming the count 4", n, err)
	}
}

// overcounter is a broken Writer that reports one byte more than it got.
type overcounter struct{}

func (overcounter) Write(p []byte) (int, error) { return len(p) + 1, nil }

// The contract checkers pass on iox's seekable section writer too.
func TestSectionWriterContracts(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sw, _ := iox.NewSectionWriter(f, 3, 64<<10)
	ioxtest.Report(t, "TestWriterAt", ioxtest.TestWriterAt(sw, 64<<10, func() ([]byte, error) {
		b, err := os.ReadFile(f.Name())
		return b[3:], err
	}))
	// A full section stops the writes with a short count and an error,
	// which the Writer contract allows.
	full, _ := iox.NewSectionWriter(f, 0, 10)
	if err := ioxtest.TestWriter(full, nil); err != nil {
		t.Errorf("TestWriter on a 10-byte SectionWriter = %v, want nil", err)
	}
}
