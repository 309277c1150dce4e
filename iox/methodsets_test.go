package iox

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/deferio/deferio/iox/internal/methodsets"
)

// methodsets.go is what `go generate ./iox` writes today.
func TestMethodSetsGeneratedFileUpToDate(t *testing.T) {
	want, err := methodsets.Source()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("methodsets.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("methodsets.go is out of date: run go generate ./iox")
	}
}

// Each generated function adds exactly the parts that are not nil, for
// every combination of them.
func TestMethodSetsEveryCombination(t *testing.T) {
	src := strings.NewReader("x") // a WriterTo, Seeker and ReaderAt
	f, err := os.Create(t.TempDir() + "/f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() // a ReaderFrom, Seeker and WriterAt
	cr := NewCountingReader(OnlyReader(src))
	cw := NewCountingWriter(OnlyWriter(f))
	for mask := range 8 {
		on := func(bit int) bool { return mask&(1<<bit) != 0 }
		var (
			wt io.WriterTo
			rf io.ReaderFrom
			sk io.Seeker
			ra io.ReaderAt
			wa io.WriterAt
		)
		if on(0) {
			wt, rf = src, f
		}
		if on(1) {
			sk = src
		}
		if on(2) {
			ra, wa = src, f
		}
		r := withReaderMethods(OnlyReader(src), wt, sk, ra)
		checkMethods(t, "withReaderMethods", mask, r, on(0), on(1), on(2), is[io.WriterTo], is[io.Seeker], is[io.ReaderAt])
		w := withWriterMethods(OnlyWriter(f), rf, sk, wa)
		checkMethods(t, "withWriterMethods", mask, w, on(0), on(1), on(2), is[io.ReaderFrom], is[io.Seeker], is[io.WriterAt])
		if on(0) {
			continue // the counting wrappers always have WriteTo and ReadFrom
		}
		c := withCountingReaderMethods(cr, sk, ra)
		checkMethods(t, "withCountingReaderMethods", mask, c, true, on(1), on(2), is[io.WriterTo], is[io.Seeker], is[io.ReaderAt])
		d := withCountingWriterMethods(cw, sk, wa)
		checkMethods(t, "withCountingWriterMethods", mask, d, true, on(1), on(2), is[io.ReaderFrom], is[io.Seeker], is[io.WriterAt])
	}
}

func is[T any](v any) bool { _, ok := v.(T); return ok }

func checkMethods(t *testing.T, name string, mask int, v any, want0, want1, want2 bool, has0, has1, has2 func(any) bool) {
	t.Helper()
	got := [3]bool{has0(v), has1(v), has2(v)}
	if want := [3]bool{want0, want1, want2}; got != want {
		t.Errorf("%s, parts %03b: methods %v, want %v", name, mask, got, want)
	}
}
