package ioxtest

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// TestByteScanner reads bs to the end with ReadByte, calling UnreadByte
// after every other successful ReadByte, and checks that: the bytes are
// content; UnreadByte right after a successful ReadByte succeeds and the
// next ReadByte returns the same byte again; the end is io.EOF itself.
func TestByteScanner(bs io.ByteScanner, content []byte) error {
	var rep report
	var b byte
	var err error
	for i := 0; ; i++ {
		if !rep.call("ReadByte", func() { b, err = bs.ReadByte() }) {
			return rep.err()
		}
		if err != nil {
			if i != len(content) {
				return errors.Join(rep.err(), fmt.Errorf("ReadByte failed after %d of %d bytes: %w", i, len(content), err))
			}
			if err != io.EOF {
				rep.add(ReadEOFIdentity, "ReadByte at the end returned %q (%T), want io.EOF itself", err, err)
			}
			return rep.err()
		}
		if i >= len(content) {
			rep.add(ReadByteContent, "ReadByte returned a byte %q after the %d bytes of content", b, len(content))
			return rep.err()
		}
		if b != content[i] {
			rep.add(ReadByteContent, "ReadByte #%d returned %q, want %q", i, b, content[i])
			return rep.err()
		}
		if i%2 == 1 {
			continue
		}
		if !rep.call("UnreadByte", func() { err = bs.UnreadByte() }) {
			return rep.err()
		}
		if err != nil {
			rep.add(UnreadByteRule, "UnreadByte right after ReadByte returned %q failed: %v", b, err)
			return rep.err()
		}
		var again byte
		if !rep.call("ReadByte", func() { again, err = bs.ReadByte() }) {
			return rep.err()
		}
		if err != nil || again != b {
			rep.add(UnreadByteRule, "after ReadByte returned %q (byte %d) and UnreadByte, ReadByte returned (%q, %v)", b, i, again, err)
			return rep.err()
		}
	}
}

// TestRuneScanner reads rs to the end with ReadRune, calling UnreadRune
// after every successful ReadRune, and checks that: the runes and
// their sizes are those of content decoded as UTF-8 (an invalid byte is
// utf8.RuneError of size 1); UnreadRune right after a successful ReadRune
// succeeds and the next ReadRune returns the same rune and size; the end
// is io.EOF itself.
func TestRuneScanner(rs io.RuneScanner, content []byte) error {
	var rep report
	var r rune
	var size int
	var err error
	for off := 0; ; {
		if !rep.call("ReadRune", func() { r, size, err = rs.ReadRune() }) {
			return rep.err()
		}
		if err != nil {
			if off != len(content) {
				return errors.Join(rep.err(), fmt.Errorf("ReadRune failed after %d of %d bytes: %w", off, len(content), err))
			}
			if err != io.EOF {
				rep.add(ReadEOFIdentity, "ReadRune at the end returned %q (%T), want io.EOF itself", err, err)
			}
			return rep.err()
		}
		wr, ws := utf8.DecodeRune(content[off:])
		if off >= len(content) || r != wr || size != ws {
			rep.add(ReadRuneContent, "ReadRune at byte %d returned (%q, %d), want (%q, %d)", off, r, size, wr, ws)
			return rep.err()
		}
		if !rep.call("UnreadRune", func() { err = rs.UnreadRune() }) {
			return rep.err()
		}
		if err != nil {
			rep.add(UnreadRuneRule, "UnreadRune right after ReadRune returned %q failed: %v", r, err)
			return rep.err()
		}
		var again rune
		var asize int
		if !rep.call("ReadRune", func() { again, asize, err = rs.ReadRune() }) {
			return rep.err()
		}
		if err != nil || again != r || asize != size {
			rep.add(UnreadRuneRule, "after ReadRune returned (%q, %d) at byte %d and UnreadRune, ReadRune returned (%q, %d, %v)", r, size, off, again, asize, err)
			return rep.err()
		}
		off += size
	}
}
