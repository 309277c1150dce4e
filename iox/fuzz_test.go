package iox_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/deferio/deferio/iox"
)

// FuzzSection drives a Section and a bytes.Reader over the same bytes with
// the same Read, Seek and ReadAt calls and requires the same answers.
// ops is a program: each 3-byte group is (op, a, b).
func FuzzSection(f *testing.F) {
	f.Add([]byte("header|payload|trailer"), int64(7), int64(7), []byte{0, 4, 0, 1, 2, 2, 2, 3, 1, 0, 0, 0})
	f.Add([]byte("abc"), int64(0), int64(10), []byte{2, 1, 9, 0, 255, 0, 1, 200, 1})
	f.Fuzz(func(t *testing.T, data []byte, off, n int64, ops []byte) {
		s, err := iox.NewSection(bytes.NewReader(data), off, n)
		if off < 0 || n < 0 || off > 1<<63-1-n {
			if err == nil {
				t.Fatalf("NewSection(off=%d, n=%d) accepted bad bounds", off, n)
			}
			return
		}
		if err != nil {
			t.Fatalf("NewSection(off=%d, n=%d): %v", off, n, err)
		}
		// The reference: the bytes the section covers.
		lo, hi := min(off, int64(len(data))), min(off+n, int64(len(data)))
		ref := bytes.NewReader(data[lo:hi])
		for i := 0; i+2 < len(ops); i += 3 {
			a, b := int64(int8(ops[i+1])), int(ops[i+2])
			switch ops[i] % 3 {
			case 0: // Read
				p, q := make([]byte, b), make([]byte, b)
				n1, err1 := io.ReadFull(s, p)
				n2, err2 := io.ReadFull(ref, q)
				if n1 != n2 || !bytes.Equal(p[:n1], q[:n2]) || (err1 == nil) != (err2 == nil) {
					t.Fatalf("ReadFull(%d) = %d %v %q, reference %d %v %q", b, n1, err1, p[:n1], n2, err2, q[:n2])
				}
			case 1: // Seek
				whence := b % 4
				o1, err1 := s.Seek(a, whence)
				var o2 int64
				var err2 error
				if whence == 3 {
					err2 = errors.New("invalid whence")
				} else if whence == io.SeekEnd {
					// The section's end is n, which may pass the data's end.
					cur, _ := ref.Seek(0, io.SeekCurrent)
					o2 = n + a
					if o2 < 0 {
						err2, o2 = errors.New("negative"), cur
					} else {
						ref.Seek(o2, io.SeekStart)
					}
				} else {
					o2, err2 = ref.Seek(a, whence)
				}
				if (err1 == nil) != (err2 == nil) || err1 == nil && o1 != o2 {
					t.Fatalf("Seek(%d, %d) = %d, %v; reference %d, %v", a, whence, o1, err1, o2, err2)
				}
			case 2: // ReadAt
				p, q := make([]byte, b), make([]byte, b)
				n1, err1 := s.ReadAt(p, a)
				n2, err2 := ref.ReadAt(q, a)
				if a >= 0 && a < n && hi-lo < n && a+int64(b) > hi-lo {
					// Past the data but inside the section: the section
					// reports what the data has.
					n2 = min(n2, n1)
				}
				if n1 != n2 || !bytes.Equal(p[:n1], q[:n2]) || n1 < b && err1 == nil {
					t.Fatalf("ReadAt(%d, %d) = %d %v; reference %d %v", b, a, n1, err1, n2, err2)
				}
			}
		}
	})
}

// FuzzMultiReaderAt cuts data into parts and requires the concatenation to
// read like the whole.
func FuzzMultiReaderAt(f *testing.F) {
	f.Add([]byte("hello, reader at"), []byte{3, 0, 5}, int64(2), 9)
	f.Add([]byte(""), []byte{}, int64(0), 4)
	f.Fuzz(func(t *testing.T, data []byte, cuts []byte, off int64, size int) {
		if size < 0 || size > 1<<16 {
			return
		}
		var parts []iox.SizedReaderAt
		rest := data
		for _, c := range cuts {
			k := min(int(c), len(rest))
			parts = append(parts, bytes.NewReader(rest[:k]))
			rest = rest[k:]
		}
		parts = append(parts, bytes.NewReader(rest))
		m, err := iox.NewMultiReaderAt(parts...)
		if err != nil {
			t.Fatal(err)
		}
		if m.Size() != int64(len(data)) {
			t.Fatalf("Size = %d, want %d", m.Size(), len(data))
		}
		p, q := make([]byte, size), make([]byte, size)
		n1, err1 := m.ReadAt(p, off)
		n2, err2 := bytes.NewReader(data).ReadAt(q, off)
		if n1 != n2 || !bytes.Equal(p[:n1], q[:n2]) || (err1 == nil) != (err2 == nil) {
			t.Fatalf("ReadAt(%d, %d) = %d %v; whole %d %v", size, off, n1, err1, n2, err2)
		}
	})
}
