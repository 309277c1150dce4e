package iox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// ParallelOptions tune [ParallelCopy]. The zero value is ready to use.
type ParallelOptions struct {
	// Workers is the number of concurrent copiers; 0 means 4.
	Workers int
	// ChunkSize is the size of the range each worker copies at a time;
	// 0 means 8 MiB.
	ChunkSize int64
	// BufferSize is each worker's buffer when no zero-copy path applies;
	// 0 means 1 MiB (never more than ChunkSize).
	BufferSize int
}

// ParallelCopy copies size bytes from src to dst, both at the same offsets
// from 0, in chunks handed out to concurrent workers. It relies on the
// io contracts that allow it: parallel ReadAt calls on one source, and
// parallel WriteAt calls on non-overlapping ranges of one destination.
//
// It returns the number of bytes written to dst and the first error met;
// on error the other workers stop after their current chunk, and which
// ranges of dst were written is unspecified (the count is a total, not a
// prefix). A source that
// ends before size is an error wrapping io.ErrUnexpectedEOF. Bad options
// (negative values) or a negative size are an error before anything is
// copied. The context stops the copy between chunks.
//
// Fast paths: when src and dst are both *os.File on Linux, each worker
// uses copy_file_range with explicit offsets for both files, so the data
// never enters user space and neither file's offset moves. Otherwise each
// worker copies through its own buffer with ReadAt and WriteAt.
func ParallelCopy(ctx context.Context, dst io.WriterAt, src io.ReaderAt, size int64, opts ParallelOptions) (int64, error) {
	if dst == nil || src == nil {
		return 0, errors.New("unable to copy in parallel: source or destination is nil")
	}
	if size < 0 || opts.Workers < 0 || opts.ChunkSize < 0 || opts.BufferSize < 0 {
		return 0, fmt.Errorf("unable to copy in parallel: negative size or option (size=%d workers=%d chunk=%d buffer=%d)",
			size, opts.Workers, opts.ChunkSize, opts.BufferSize)
	}
	workers, chunk, bufSize := opts.Workers, opts.ChunkSize, int64(opts.BufferSize)
	if workers == 0 {
		workers = 4
	}
	if chunk == 0 {
		chunk = 8 << 20
	}
	if bufSize == 0 {
		bufSize = 1 << 20
	}
	bufSize = min(bufSize, chunk, max(size, 1))
	chunks := size / chunk // not (size+chunk-1)/chunk, which overflows for a size near MaxInt64
	if size%chunk != 0 {
		chunks++
	}
	workers = int(min(int64(workers), max(chunks, 1)))

	var (
		next    atomic.Int64 // index of the next chunk to hand out
		total   atomic.Int64
		errOnce sync.Once
		first   error
		stop    atomic.Bool
		wg      sync.WaitGroup
	)
	fail := func(err error) {
		errOnce.Do(func() { first = err })
		stop.Store(true)
	}
	for range workers {
		wg.Go(func() {
			var buf []byte
			for !stop.Load() {
				if err := ctx.Err(); err != nil {
					fail(fmt.Errorf("unable to copy in parallel: %w", err))
					return
				}
				i := next.Add(1) - 1
				if i >= chunks {
					return
				}
				off := i * chunk
				n := min(chunk, size-off)
				m, handled, err := copyRangeAt(dst, src, off, n)
				if (!handled || m < n) && err == nil {
					if buf == nil {
						buf = make([]byte, bufSize)
					}
					var k int64
					k, err = copyRangeBuf(dst, src, off+m, n-m, buf)
					m += k
				}
				total.Add(m)
				if err != nil {
					fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return total.Load(), first
}

// copyRangeBuf copies n bytes at off of src to the same offset of dst.
func copyRangeBuf(dst io.WriterAt, src io.ReaderAt, off, n int64, buf []byte) (int64, error) {
	var done int64
	for done < n {
		p := buf[:min(int64(len(buf)), n-done)]
		nr, er := src.ReadAt(p, off+done)
		if nr > 0 {
			nw, ew := dst.WriteAt(p[:nr], off+done)
			done += int64(nw)
			if ew != nil {
				return done, fmt.Errorf("unable to write %d bytes at offset %d: %w", nr, off+done-int64(nw), ew)
			}
			if nw != nr {
				return done, fmt.Errorf("unable to write %d bytes at offset %d: %w", nr, off+done-int64(nw), io.ErrShortWrite)
			}
		}
		if nr < len(p) {
			if er == nil || er == io.EOF {
				return done, fmt.Errorf("unable to read at offset %d: the source ended early: %w", off+done, io.ErrUnexpectedEOF)
			}
			return done, fmt.Errorf("unable to read at offset %d: %w", off+done, er)
		}
	}
	return done, nil
}
