package iolessons

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/iox"
)

func readerAtLesson(ctx context.Context, p *lesson.Page) error {
	dir, err := os.MkdirTemp("", "iolesson-")
	if err != nil {
		return fmt.Errorf("unable to make a directory: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "data")
	if err := os.WriteFile(path, []byte(strings.Repeat("abcdefghij", 4)), 0o644); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("unable to open %s: %w", path, err)
	}
	defer f.Close()

	p.Heading("Four goroutines, one *os.File")
	p.Text("ReadAt is pread(2): it reads at the offset it is given and neither uses nor moves the file's offset, so goroutines can share one file without a lock. Read and Seek would race on the one offset.")
	if err := showSnippet(p, "readerat.go", "pread"); err != nil {
		return err
	}
	// show: pread
	f.Seek(3, io.SeekStart) // the file offset: ReadAt ignores it
	parts := make([]string, 4)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			buf := make([]byte, 10)
			n, _ := f.ReadAt(buf, int64(i*10))
			parts[i] = string(buf[:n])
		})
	}
	wg.Wait()
	off, _ := f.Seek(0, io.SeekCurrent)
	// end: pread
	p.Output("result", fmt.Sprintf("parts: %q\nfile offset afterwards: %d", parts, off))

	p.Heading("The parallel copier")
	p.Text("iox.ParallelCopy hands chunks to workers that each ReadAt from the source and WriteAt to the destination, which the io contracts allow (parallel ReadAt on one source, parallel WriteAt on non-overlapping ranges). Traced, sorted by offset because the order between workers varies:")
	if err := showSnippet(p, "readerat.go", "parallel"); err != nil {
		return err
	}
	var tr iox.Tracer
	// show: parallel
	src := tr.Reader("src", strings.NewReader(strings.Repeat("0123456789", 10))).(io.ReaderAt)
	mem := &memFile{}
	dst := tr.Writer("dst", mem).(io.WriterAt)
	n, err := iox.ParallelCopy(ctx, dst, src, 100, iox.ParallelOptions{Workers: 3, ChunkSize: 30, BufferSize: 16})
	// end: parallel
	calls := tr.Calls()
	slices.SortStableFunc(calls, func(a, b iox.Call) int {
		if a.Off != b.Off {
			return int(a.Off - b.Off)
		}
		return strings.Compare(a.Method, b.Method)
	})
	var out strings.Builder
	for _, c := range calls {
		out.WriteString(c.String() + "\n")
	}
	fmt.Fprintf(&out, "ParallelCopy returned %d, %v; the copy is equal to the source: %v", n, err, string(mem.bytes()) == strings.Repeat("0123456789", 10))
	p.Output("trace, sorted", out.String())
	p.Text("On two *os.File the workers skip the buffers: each calls copy_file_range with explicit offsets for both files (the iox tests prove it under strace).")
	return nil
}

// memFile is an in-memory destination with Write and WriteAt.
type memFile struct {
	mu sync.Mutex
	b  []byte
}

func (m *memFile) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.b = append(m.b, p...)
	return len(p), nil
}

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, iox.ErrNegativeOffset
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if end := int(off) + len(p); end > len(m.b) {
		m.b = append(m.b, make([]byte, end-len(m.b))...)
	}
	return copy(m.b[off:], p), nil
}

func (m *memFile) bytes() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.b...)
}
