package ioxtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
)

// TestReaderAt checks the ReaderAt contract on ra, whose content is
// content: 0 <= n <= len(p); n < len(p) always comes with an error
// (reading past the end included), while a full read may return nil or
// io.EOF; every read returns the right bytes; a negative offset is an
// error; parallel ReadAt calls return the right bytes (run under -race to
// catch data races); and, when ra is also an io.Seeker, ReadAt neither
// moves nor depends on the seek offset (and the next Read, if ra is a
// Reader, starts where Seek put it). Unlike testing/iotest, it accepts a
// short read at the end with io.ErrUnexpectedEOF or any other error.
func TestReaderAt(ra io.ReaderAt, content []byte) error {
	var rep report
	size := len(content)
	readAt := func(p []byte, off int64) (n int, ok bool, err error) {
		ok = rep.call(fmt.Sprintf("ReadAt(len=%d, off=%d)", len(p), off), func() { n, err = ra.ReadAt(p, off) })
		if !ok {
			return
		}
		if n < 0 || n > len(p) {
			rep.add(ReadAtBounds, "ReadAt(len=%d, off=%d) returned n = %d", len(p), off, n)
			return n, false, err
		}
		if n < len(p) && err == nil {
			rep.add(ReadAtShort, "ReadAt(len=%d, off=%d) returned n = %d and a nil error", len(p), off, n)
		}
		if off >= 0 && off <= int64(size) {
			want := content[off:min(int(off)+len(p), size)]
			if !bytes.Equal(p[:n], want[:min(n, len(want))]) || n > len(want) {
				rep.add(ReadAtContent, "ReadAt(len=%d, off=%d): %s", len(p), off, diff(p[:n], want))
			}
			if n < len(want) && err == nil {
				rep.add(ReadAtShort, "ReadAt(len=%d, off=%d) returned %d of the %d bytes available and a nil error", len(p), off, n, len(want))
			}
		}
		return n, true, err
	}

	// Whole content, then one byte more than there is.
	p := make([]byte, size)
	if n, ok, err := readAt(p, 0); ok && n == size && err != nil && err != io.EOF {
		return errors.Join(rep.err(), fmt.Errorf("ReadAt(len=%d, off=0) failed: %w", size, err))
	}
	p = make([]byte, size+1)
	readAt(p, 0)
	// Sliding windows of several sizes.
	for _, w := range []int{1, 7, 100} {
		buf := make([]byte, w)
		for off := 0; off <= size; off += max(1, size/50) {
			if _, ok, _ := readAt(buf, int64(off)); !ok {
				return rep.err()
			}
		}
	}
	// At and past the end.
	for _, off := range []int64{int64(size), int64(size) + 10} {
		var n int
		var err error
		if rep.call("ReadAt past the end", func() { n, err = ra.ReadAt(make([]byte, 4), off) }) && (n != 0 || err == nil) {
			rep.add(ReadAtShort, "ReadAt(len=4, off=%d) past the end of %d bytes returned (%d, %v), want (0, an error)", off, size, n, err)
		}
	}
	// A negative offset.
	var n int
	var err error
	if rep.call("ReadAt(off=-1)", func() { n, err = ra.ReadAt(make([]byte, 4), -1) }) && err == nil {
		rep.add(ReadAtShort, "ReadAt(len=4, off=-1) returned (%d, nil), want an error", n)
	}
	if s, ok := ra.(io.Seeker); ok && size > 2 {
		checkSeekIndependence(&rep, ra, s, content)
	}
	checkParallelReadAt(&rep, ra, content)
	return rep.err()
}

func checkSeekIndependence(rep *report, ra io.ReaderAt, s io.Seeker, content []byte) {
	k := int64(len(content) / 2)
	var pos int64
	var err error
	if !rep.call("Seek", func() { pos, err = s.Seek(k, io.SeekStart) }) || err != nil || pos != k {
		return // TestSeeker reports broken seeking
	}
	p := make([]byte, 2)
	var n int
	if !rep.call("ReadAt", func() { n, err = ra.ReadAt(p, 0) }) {
		return
	}
	if n != 2 || !bytes.Equal(p, content[:2]) {
		rep.add(ReadAtOffset, "after Seek(%d, io.SeekStart), ReadAt(len=2, off=0) returned %q, want %q: it depends on the seek offset", k, p[:n], content[:2])
	}
	if !rep.call("Seek", func() { pos, err = s.Seek(0, io.SeekCurrent) }) || err != nil {
		return
	}
	if pos != k {
		rep.add(ReadAtOffset, "Seek(%d, io.SeekStart) then ReadAt(len=2, off=0) left the seek offset at %d, want %d: ReadAt moved it", k, pos, k)
		return
	}
	if r, ok := ra.(io.Reader); ok {
		b := make([]byte, 1)
		if rep.call("Read", func() { n, err = io.ReadFull(r, b) }) && (n != 1 || b[0] != content[k]) {
			rep.add(ReadAtOffset, "after Seek(%d) and a ReadAt, Read returned %q, want %q", k, b[:n], content[k:k+1])
		}
	}
	rep.call("Seek", func() { _, _ = s.Seek(0, io.SeekStart) })
}

func checkParallelReadAt(rep *report, ra io.ReaderAt, content []byte) {
	if len(content) == 0 {
		return
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(g), 7))
			for range 50 {
				off := rnd.IntN(len(content))
				p := make([]byte, 1+rnd.IntN(min(64, len(content)-off)))
				var n int
				var err error
				func() {
					defer func() {
						if r := recover(); r != nil {
							mu.Lock()
							rep.add(PanicRule, "parallel ReadAt(len=%d, off=%d) panicked: %v", len(p), off, r)
							mu.Unlock()
							err = errors.New("panic")
						}
					}()
					n, err = ra.ReadAt(p, int64(off))
				}()
				// Only the bytes returned are checked here: short reads
				// are the sequential checks' business.
				if k := min(max(n, 0), len(p)); !bytes.Equal(p[:k], content[off:off+k]) {
					mu.Lock()
					rep.add(ReadAtParallel, "parallel ReadAt(len=%d, off=%d) returned (%d, %v) and %q, want %q", len(p), off, n, err, p[:min(max(n, 0), len(p))], content[off:off+len(p)])
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
}
