package iobench

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// The benchmarks' copies are right: every wrap delivers the same bytes.
func TestWrapsCopyTheSameBytes(t *testing.T) {
	dir := t.TempDir()
	srcPath := makeFile(t, dir, 1<<20)
	want, err := os.ReadFile(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wraps {
		src := open(t, srcPath)
		dstPath := filepath.Join(dir, "dst-"+w.name)
		dst := create(t, dstPath)
		if n, err := io.Copy(dst, w.wrap(src)); err != nil || n != int64(len(want)) {
			t.Fatalf("wrap=%s: io.Copy = %d, %v", w.name, n, err)
		}
		got, err := os.ReadFile(dstPath)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("wrap=%s: the copy differs (%v)", w.name, err)
		}
	}
}
