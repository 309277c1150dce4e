package ioxtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxEmptyReads is bufio's limit of consecutive (0, nil) reads before it
// gives up with io.ErrNoProgress.
const maxEmptyReads = 100

// scribble is written over a buffer after a call returns, to catch
// implementations that kept it.
const scribble = 0xA5

// readSizes are the buffer sizes TestReader cycles through.
var readSizes = []int{1, 2, 3, 7, 16, 5, 64, 4096}

// TestReader reads r to the end and checks the Read contract against
// content, the bytes r must produce. Beyond testing/iotest.TestReader it
// checks that:
//   - 0 <= n <= len(p) on every call, and Read(empty) returns n == 0;
//   - r does not return (0, nil) 100 times in a row (bufio's limit);
//   - r does not retain p: after each call the checker scribbles over p,
//     and the bytes that follow must still be right;
//   - after the data, Read returns (0, io.EOF) again, with io.EOF itself,
//     not an error wrapping it.
//
// It only calls Read; use the other checkers for Seek, ReadAt, WriteTo and
// the scanners.
func TestReader(r io.Reader, content []byte) error {
	var rep report
	var got []byte
	var zeroStreak int
	var final error
	var n int
	var err error
	if !rep.call("Read(empty)", func() { n, err = r.Read([]byte{}) }) {
		return rep.err()
	}
	if n != 0 {
		rep.add(ReadEmpty, "Read of an empty buffer returned n = %d", n)
	}
	for i := 0; ; i++ {
		p := make([]byte, readSizes[i%len(readSizes)])
		if !rep.call(fmt.Sprintf("Read(len=%d)", len(p)), func() { n, err = r.Read(p) }) {
			return rep.err()
		}
		if n < 0 || n > len(p) {
			rep.add(ReadBounds, "Read(len=%d) returned n = %d", len(p), n)
			return rep.err()
		}
		got = append(got, p[:n]...)
		for j := range p {
			p[j] = scribble
		}
		if n == 0 && err == nil {
			zeroStreak++
			if zeroStreak >= maxEmptyReads {
				rep.add(ReadNoProgress, "Read returned (0, nil) %d times in a row after %d bytes", zeroStreak, len(got))
				return rep.err()
			}
			continue
		}
		zeroStreak = 0
		if err != nil {
			final = err
			break
		}
		if len(got) > len(content)+4096 {
			break
		}
	}
	if final != io.EOF {
		if errors.Is(final, io.EOF) {
			rep.add(ReadEOFIdentity, "Read ended with %q (%T), which wraps io.EOF but is not io.EOF", final, final)
		} else if final != nil {
			return errors.Join(rep.err(), fmt.Errorf("Read failed after %d bytes: %w", len(got), final))
		}
	}
	if !bytes.Equal(got, content) {
		if i := firstDiff(got, content); i < len(got) && i < len(content) && got[i] == scribble {
			rep.add(ReadRetain, "Read produced the checker's scribbling (0x%X) where the content has 0x%X (%s): the Reader kept p and read from it after returning", scribble, content[i], diff(got, content))
		} else {
			rep.add(ReadContent, "Read produced %d bytes, want %d: %s", len(got), len(content), diff(got, content))
		}
	}
	if final == nil {
		return rep.err() // never reached EOF; nothing more to check
	}
	for range 3 {
		p := make([]byte, 10)
		if !rep.call("Read after EOF", func() { n, err = r.Read(p) }) {
			break
		}
		switch {
		case n != 0 || !errors.Is(err, io.EOF):
			rep.add(ReadEOFSticky, "Read after EOF returned (%d, %v), want (0, io.EOF)", n, err)
		case err != io.EOF:
			rep.add(ReadEOFIdentity, "Read after EOF returned %q (%T), which wraps io.EOF but is not io.EOF", err, err)
		}
	}
	return rep.err()
}

// diff describes where got and want first differ.
func diff(got, want []byte) string {
	i := firstDiff(got, want)
	show := func(b []byte) string {
		if i >= len(b) {
			return "(end)"
		}
		return fmt.Sprintf("%q", b[i:min(len(b), i+8)])
	}
	return fmt.Sprintf("first difference at byte %d: got %s, want %s", i, show(got), show(want))
}

func firstDiff(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
