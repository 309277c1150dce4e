package iobench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/iox"
)

const (
	copySize     = 64 << 20
	parallelSize = 256 << 20
)

// cpuTime returns the user plus system CPU time of this process so far:
// what moving the bytes cost, kernel work included, whatever else runs on
// the machine. Wall time (ns/op, MB/s) is what a user waits; CPU time is
// what the copy path spends.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs body under b.Loop and reports cpu-ns/op next to ns/op.
func loop(b *testing.B, body func()) {
	n := 0
	start := cpuTime()
	for b.Loop() {
		body()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
	}
}

// wraps are the ways the source is wrapped, in the order they are run.
var wraps = []struct {
	name string
	wrap func(*os.File) io.Reader
}{
	{"none", func(f *os.File) io.Reader { return f }},
	{"counting", func(f *os.File) io.Reader { return iox.NewCountingReader(f) }},
	{"hidden", func(f *os.File) io.Reader { return iox.OnlyReader(f) }},
}

// makeFile writes size bytes of a repeating pattern to a new file in dir.
func makeFile(tb testing.TB, dir string, size int) string {
	tb.Helper()
	path := filepath.Join(dir, fmt.Sprintf("src-%d", size))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("iobench 0123456789abcdef\n"), 1<<16/25+1)[:1<<16]
	for written := 0; written < size; written += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func open(tb testing.TB, path string) *os.File {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func create(tb testing.TB, path string) *os.File {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func BenchmarkCopyFileToFile(b *testing.B) {
	dir := b.TempDir()
	srcPath := makeFile(b, dir, copySize)
	for _, w := range wraps {
		b.Run("wrap="+w.name, func(b *testing.B) {
			src := open(b, srcPath)
			dst := create(b, filepath.Join(dir, "dst-"+w.name))
			b.SetBytes(copySize)
			b.ReportAllocs()
			// The destination is overwritten in place, not truncated, so
			// the file system does not allocate blocks on every round.
			loop(b, func() {
				if _, err := src.Seek(0, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				if _, err := dst.Seek(0, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(dst, w.wrap(src))
				if err != nil || n != copySize {
					b.Fatalf("io.Copy = %d, %v", n, err)
				}
			})
		})
	}
}

// tcpSink returns the sending end of a loopback TCP connection whose
// receiving end is drained by a goroutine with plain reads.
func tcpSink(b *testing.B) *net.TCPConn {
	b.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.AcceptTCP()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 256<<10)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	c, err := net.DialTCP("tcp", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		c.Close()
		<-done
	})
	return c
}

func BenchmarkCopyFileToSocket(b *testing.B) {
	dir := b.TempDir()
	srcPath := makeFile(b, dir, copySize)
	for _, w := range wraps {
		b.Run("wrap="+w.name, func(b *testing.B) {
			src := open(b, srcPath)
			conn := tcpSink(b)
			b.SetBytes(copySize)
			b.ReportAllocs()
			loop(b, func() {
				if _, err := src.Seek(0, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(conn, w.wrap(src))
				if err != nil || n != copySize {
					b.Fatalf("io.Copy = %d, %v", n, err)
				}
			})
		})
	}
}

// readerAtOnly hides the *os.File so that ParallelCopy uses buffers.
type readerAtOnly struct{ ra io.ReaderAt }

func (r readerAtOnly) ReadAt(p []byte, off int64) (int, error) { return r.ra.ReadAt(p, off) }

func BenchmarkParallelCopy(b *testing.B) {
	dir := b.TempDir()
	srcPath := makeFile(b, dir, parallelSize)
	copiers := []struct {
		name string
		copy func(dst, src *os.File) (int64, error)
	}{
		{"io.Copy", func(dst, src *os.File) (int64, error) {
			if _, err := src.Seek(0, io.SeekStart); err != nil {
				return 0, err
			}
			return io.Copy(dst, src)
		}},
		{"parallel", func(dst, src *os.File) (int64, error) {
			return iox.ParallelCopy(context.Background(), dst, src, parallelSize, iox.ParallelOptions{Workers: 4})
		}},
		{"parallel-buffered", func(dst, src *os.File) (int64, error) {
			return iox.ParallelCopy(context.Background(), dst, readerAtOnly{src}, parallelSize, iox.ParallelOptions{Workers: 4})
		}},
	}
	for _, c := range copiers {
		b.Run("copier="+c.name, func(b *testing.B) {
			src := open(b, srcPath)
			dst := create(b, filepath.Join(dir, "dst-"+c.name))
			b.SetBytes(parallelSize)
			b.ReportAllocs()
			loop(b, func() { // overwritten in place, as in BenchmarkCopyFileToFile
				if _, err := dst.Seek(0, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				n, err := c.copy(dst, src)
				if err != nil || n != parallelSize {
					b.Fatalf("copy = %d, %v", n, err)
				}
			})
		})
	}
}
