package ioxtest

import (
	"fmt"
	"io"
)

// TestSeeker checks the Seek contract on s, whose content is content:
// SeekStart, SeekCurrent and SeekEnd arithmetic; a seek before the start
// is an error; no call returns a negative offset without an error; any
// whence other than the three is an error (the standard library's
// convention; whence 3 and 4 are not tried, because on Linux *os.File
// passes them to lseek as SEEK_DATA and SEEK_HOLE); and, when s is an io.Reader, the next Read starts at the
// offset Seek returned. It leaves s at offset 0 when it can.
func TestSeeker(s io.Seeker, content []byte) error {
	var rep report
	size := int64(len(content))
	seek := func(off int64, whence int) (int64, bool, error) {
		var n int64
		var err error
		ok := rep.call(fmt.Sprintf("Seek(%d, %d)", off, whence), func() { n, err = s.Seek(off, whence) })
		if ok && err == nil && n < 0 {
			rep.add(SeekResult, "Seek(%d, %s) returned the negative offset %d and a nil error", off, whenceName(whence), n)
		}
		return n, ok, err
	}
	expect := func(off int64, whence int, want int64) bool {
		got, ok, err := seek(off, whence)
		if !ok {
			return false
		}
		if err != nil {
			rep.add(SeekResult, "Seek(%d, %s) failed: %v, want offset %d", off, whenceName(whence), err, want)
			return false
		}
		if got != want {
			rep.add(SeekResult, "Seek(%d, %s) = %d, want %d", off, whenceName(whence), got, want)
			return false
		}
		return true
	}
	steps := []struct {
		off    int64
		whence int
		want   int64
	}{
		{0, io.SeekStart, 0},
		{0, io.SeekEnd, size},
		{0, io.SeekCurrent, size},
		{size / 2, io.SeekStart, size / 2},
		{1, io.SeekCurrent, size/2 + 1},
		{-1, io.SeekCurrent, size / 2},
		{-size / 3, io.SeekEnd, size - size/3},
		{0, io.SeekCurrent, size - size/3},
	}
	for _, st := range steps {
		if !expect(st.off, st.whence, st.want) {
			return rep.err()
		}
	}
	r, isReader := s.(io.Reader)
	if isReader && size > 0 {
		for _, k := range []int64{0, size / 2, size - 1} {
			if !expect(k, io.SeekStart, k) {
				return rep.err()
			}
			b := make([]byte, 1)
			var n int
			var err error
			if !rep.call("Read after Seek", func() { n, err = io.ReadFull(r, b) }) {
				return rep.err()
			}
			if n != 1 || b[0] != content[k] {
				rep.add(SeekRead, "after Seek(%d, io.SeekStart), Read returned %q (%v), want %q", k, b[:n], err, content[k:k+1])
			}
		}
	}
	for _, bad := range []struct {
		off    int64
		whence int
	}{{-1, io.SeekStart}, {-size - 1, io.SeekEnd}, {-size - 1, io.SeekCurrent}} {
		if bad.whence == io.SeekCurrent && !expect(size, io.SeekStart, size) {
			return rep.err()
		}
		var n int64
		var err error
		if rep.call("Seek", func() { n, err = s.Seek(bad.off, bad.whence) }) && err == nil {
			rep.add(SeekNegative, "Seek(%d, %s) = %d with a nil error, want an error", bad.off, whenceName(bad.whence), n)
		}
	}
	for _, w := range []int{-1, 5, 42} {
		if n, ok, err := seek(0, w); ok && err == nil {
			rep.add(SeekWhence, "Seek(0, %d) = %d with a nil error, want an error for an invalid whence", w, n)
		}
	}
	seek(0, io.SeekStart)
	return rep.err()
}

func whenceName(w int) string {
	switch w {
	case io.SeekStart:
		return "io.SeekStart"
	case io.SeekCurrent:
		return "io.SeekCurrent"
	case io.SeekEnd:
		return "io.SeekEnd"
	}
	return fmt.Sprint(w)
}
