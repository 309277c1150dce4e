package ioxtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
)

// pattern returns n bytes of printable text that never repeats with a
// short period, so a misplaced byte shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(i*7+i/36)%36]
	}
	return b
}

// writeSizes are the buffer sizes TestWriter cycles through.
var writeSizes = []int{1, 2, 3, 100, 4096, 7, 33000}

// TestWriter writes a known pattern to w in writes of several sizes and
// checks the Write contract: 0 <= n <= len(p); n < len(p) comes with an
// error; p is unchanged after the call; a Write of an empty buffer returns
// n == 0. When got is not nil, it is called at the end (after the
// checker's last Write) and must return everything w received; it is
// compared with what was written. A Write that fails with n == len(p) or
// with a proper error ends the check with that error, which is not a
// violation.
func TestWriter(w io.Writer, got func() ([]byte, error)) error {
	var rep report
	var want []byte
	var n int
	var err error
	if !rep.call("Write(empty)", func() { n, err = w.Write([]byte{}) }) {
		return rep.err()
	}
	if n != 0 {
		rep.add(WriteBounds, "Write of an empty buffer returned n = %d", n)
	}
	src := pattern(40000)
	off := 0
	for _, size := range writeSizes {
		p := append([]byte(nil), src[off:off+size]...)
		off += size
		if !rep.call(fmt.Sprintf("Write(len=%d)", len(p)), func() { n, err = w.Write(p) }) {
			return rep.err()
		}
		if !bytes.Equal(p, src[off-size:off]) {
			rep.add(WriteModify, "Write(len=%d) changed p: %s", size, diff(p, src[off-size:off]))
		}
		if n < 0 || n > len(p) {
			rep.add(WriteBounds, "Write(len=%d) returned n = %d", size, n)
			return rep.err()
		}
		want = append(want, src[off-size:off-size+n]...)
		if n < len(p) && err == nil {
			rep.add(WriteShort, "Write(len=%d) returned n = %d and a nil error", size, n)
		}
		if err != nil {
			if n == len(p) {
				return errors.Join(rep.err(), fmt.Errorf("Write(len=%d) failed: %w", size, err))
			}
			return rep.err()
		}
	}
	if got != nil && !rep.seen[WriteShort.Name] {
		b, err := got()
		if err != nil {
			return errors.Join(rep.err(), fmt.Errorf("unable to get what the Writer received: %w", err))
		}
		if !bytes.Equal(b, want) {
			rep.add(WriteContent, "the Writer received %d bytes, want the %d bytes Write accepted: %s", len(b), len(want), diff(b, want))
		}
	}
	return rep.err()
}

// TestWriterAt writes a known pattern to wa in chunks, from parallel
// goroutines, in shuffled order, and checks the WriterAt contract: 0 <= n
// <= len(p); n < len(p) comes with an error; parallel WriteAt calls on
// non-overlapping ranges are allowed (run under -race to catch data
// races); and, when wa is an io.Seeker, WriteAt does not move the seek
// offset. When got is not nil it must return the destination's bytes,
// which must equal the pattern. size is the number of bytes written (0
// means 64 KiB).
func TestWriterAt(wa io.WriterAt, size int, got func() ([]byte, error)) error {
	var rep report
	if size <= 0 {
		size = 64 << 10
	}
	src := pattern(size)
	var pos int64 = -1
	if s, ok := wa.(io.Seeker); ok {
		var err error
		if !rep.call("Seek(0, io.SeekCurrent)", func() { pos, err = s.Seek(0, io.SeekCurrent) }) {
			return rep.err()
		}
		if err != nil {
			pos = -1
		}
	}
	const chunk = 997
	var offs []int
	for off := 0; off < size; off += chunk {
		offs = append(offs, off)
	}
	rand.Shuffle(len(offs), func(i, j int) { offs[i], offs[j] = offs[j], offs[i] })
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failed []error
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(offs); i += 4 {
				off := offs[i]
				p := append([]byte(nil), src[off:min(off+chunk, size)]...)
				var n int
				var err error
				panicked := false
				func() {
					defer func() {
						if r := recover(); r != nil {
							panicked = true
							mu.Lock()
							rep.add(PanicRule, "WriteAt(len=%d, off=%d) panicked: %v", len(p), off, r)
							mu.Unlock()
						}
					}()
					n, err = wa.WriteAt(p, int64(off))
				}()
				if panicked {
					return
				}
				mu.Lock()
				switch {
				case n < 0 || n > len(p):
					rep.add(WriteAtBounds, "WriteAt(len=%d, off=%d) returned n = %d", len(p), off, n)
				case n < len(p) && err == nil:
					rep.add(WriteAtShort, "WriteAt(len=%d, off=%d) returned n = %d and a nil error", len(p), off, n)
				case err != nil:
					failed = append(failed, fmt.Errorf("WriteAt(len=%d, off=%d) failed: %w", len(p), off, err))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(failed) > 0 || len(rep.errs) > 0 {
		return errors.Join(rep.err(), errors.Join(failed...))
	}
	if pos >= 0 {
		s := wa.(io.Seeker)
		now, err := s.Seek(0, io.SeekCurrent)
		if err == nil && now != pos {
			rep.add(WriteAtOffset, "the seek offset was %d before the WriteAt calls and %d after", pos, now)
		}
	}
	if got != nil {
		b, err := got()
		if err != nil {
			return errors.Join(rep.err(), fmt.Errorf("unable to get what the WriterAt received: %w", err))
		}
		if !bytes.Equal(b, src) {
			rep.add(WriteAtContent, "the destination holds %d bytes, want %d: %s", len(b), len(src), diff(b, src))
		}
	}
	return rep.err()
}
