package iox_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/iox"
)

// A counting reader around a file still lets io.Copy hand the copy to the
// file's WriteTo (and from there to copy_file_range), and still counts.
func ExampleNewCountingReader() {
	dir, _ := os.MkdirTemp("", "iox-example-")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "src"), bytes.Repeat([]byte("x"), 100000), 0o644)
	src, _ := os.Open(filepath.Join(dir, "src"))
	defer src.Close()
	dst, _ := os.Create(filepath.Join(dir, "dst"))
	defer dst.Close()

	cr := iox.NewCountingReader(src)
	_, isWT := cr.(io.WriterTo)
	_, isSeeker := cr.(io.Seeker)
	n, err := io.Copy(dst, cr)
	fmt.Println(n, err, cr.N(), "WriterTo:", isWT, "Seeker:", isSeeker)
	// Output: 100000 <nil> 100000 WriterTo: true Seeker: true
}

func ExampleNewCountingWriter() {
	var buf bytes.Buffer
	cw := iox.NewCountingWriter(&buf)
	fmt.Fprintf(cw, "hello, %s\n", "world")
	io.Copy(cw, strings.NewReader("more\n")) // through buf's ReadFrom
	fmt.Println(cw.N(), buf.Len())
	// Output: 18 18
}

// The trace shows which path io.Copy took: strings.Reader has WriteTo, so
// io.Copy calls it and it makes one Write.
func ExampleTracer() {
	var tr iox.Tracer
	var buf bytes.Buffer
	io.Copy(tr.Writer("dst", &buf), tr.Reader("src", strings.NewReader("hello")))
	fmt.Print(tr.String())
	// Output:
	// src.WriteTo(…) = 5, <nil>
	//   dst.Write(len=5) = 5, <nil>
}

// Hiding the optional methods sends io.Copy to its 32 KiB buffer: Read,
// Write, and a last Read that returns io.EOF.
func ExampleOnlyReader() {
	var tr iox.Tracer
	var buf bytes.Buffer
	io.Copy(tr.Writer("dst", iox.OnlyWriter(&buf)), tr.Reader("src", iox.OnlyReader(strings.NewReader("hello"))))
	fmt.Print(tr.String())
	// Output:
	// src.Read(len=32768) = 5, <nil>
	// dst.Write(len=5) = 5, <nil>
	// src.Read(len=32768) = 0, EOF
}

func ExampleNewProgressReader() {
	src := strings.NewReader(strings.Repeat("x", 2500))
	pr := iox.NewProgressReader(src, 2500, 1000, func(p iox.Progress) {
		fmt.Printf("%d/%d %.0f%% final=%v\n", p.Done, p.Total, 100*p.Fraction(), p.Final)
	})
	io.Copy(io.Discard, pr) // WriteTo: io.CopyN in steps of 1000
	// Output:
	// 1000/2500 40% final=false
	// 2000/2500 80% final=false
	// 2500/2500 100% final=true
}

func ExampleNewSection() {
	s, err := iox.NewSection(strings.NewReader("header|payload|trailer"), 7, 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := io.ReadAll(s)
	off, _ := s.Seek(-3, io.SeekEnd)
	rest, _ := io.ReadAll(s)
	_, err = s.Seek(-1, io.SeekStart)
	fmt.Printf("%s %d %s\n%v\n", b, off, rest, err)
	_, err = iox.NewSection(strings.NewReader("x"), -1, 1)
	fmt.Println(err)
	// Output:
	// payload 4 oad
	// unable to seek to 0-1: iox: negative offset
	// unable to make a section at offset -1: iox: negative offset
}

// Progress reports can drive a text progress bar.
func ExampleProgress_Bar() {
	pr := iox.NewProgressReader(strings.NewReader(strings.Repeat("x", 1000)), 1000, 250, func(p iox.Progress) {
		fmt.Println(p.Bar(20))
	})
	io.Copy(io.Discard, pr)
	fmt.Println(iox.Progress{Done: 42, Total: -1}.Bar(5))
	// Output:
	// [#####               ]  25%
	// [##########          ]  50%
	// [###############     ]  75%
	// [####################] 100%
	// [####################] 100%
	// [?????] 42 bytes
}

// Anything with ReadAt and a known size becomes an io.ReadSeeker.
func ExampleNewReadSeeker() {
	var ra io.ReaderAt = strings.NewReader("0123456789")
	rs, _ := iox.NewReadSeeker(ra, 10)
	rs.Seek(-4, io.SeekEnd)
	b, _ := io.ReadAll(rs)
	fmt.Printf("%s\n", b)
	// Output: 6789
}

func ExampleSectionWriter() {
	var buf [12]byte
	copy(buf[:], "............")
	w, _ := iox.NewSectionWriter(writerAt(buf[:]), 4, 4)
	n, err := w.Write([]byte("abcdef"))
	fmt.Printf("%d %v %s\n", n, err, buf[:])
	// Output: 4 iox: write past the end of the section ....abcd....
}

// writerAt is a WriterAt over a fixed slice.
type writerAt []byte

func (w writerAt) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(w)) {
		return 0, io.ErrShortWrite
	}
	n := copy(w[off:], p)
	if n < len(p) {
		return n, io.ErrShortWrite
	}
	return n, nil
}

func ExampleMultiReaderAt() {
	m, _ := iox.NewMultiReaderAt(strings.NewReader("hello, "), bytes.NewReader([]byte("reader")), strings.NewReader("at"))
	p := make([]byte, 8)
	n, err := m.ReadAt(p, 5)
	fmt.Printf("%q %d %v size=%d\n", p[:n], n, err, m.Size())
	n, err = m.ReadAt(p, 11)
	fmt.Printf("%q %d %v\n", p[:n], n, err)
	// Output:
	// ", reader" 8 <nil> size=15
	// "erat" 4 EOF
}

func ExampleMultiWriter() {
	var a, b bytes.Buffer
	w := iox.MultiWriter(&a, &b)
	fmt.Fprint(w, "twice")
	_, isAt := w.(io.WriterAt)
	fmt.Println(a.String(), b.String(), "WriterAt:", isAt, "single writer unchanged:", iox.MultiWriter(&a) == io.Writer(&a))
	// Output: twice twice WriterAt: false single writer unchanged: true
}

func ExampleTeeReader() {
	var seen bytes.Buffer
	var out strings.Builder
	n, err := io.Copy(&out, iox.TeeReader(strings.NewReader("data"), &seen))
	fmt.Println(n, err, out.String(), seen.String())
	// Output: 4 <nil> data data
}

func ExampleParallelCopy() {
	dir, _ := os.MkdirTemp("", "iox-example-")
	defer os.RemoveAll(dir)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	os.WriteFile(filepath.Join(dir, "src"), data, 0o644)
	src, _ := os.Open(filepath.Join(dir, "src"))
	defer src.Close()
	dst, _ := os.Create(filepath.Join(dir, "dst"))
	defer dst.Close()

	n, err := iox.ParallelCopy(context.Background(), dst, src, int64(len(data)), iox.ParallelOptions{Workers: 3, ChunkSize: 100000})
	got, _ := os.ReadFile(dst.Name())
	fmt.Println(n, err, bytes.Equal(got, data))
	// Output: 1048576 <nil> true
}
