package ioxtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing/iotest"
)

// errSource is the error TestReaderFrom's failing source returns.
var errSource = errors.New("ioxtest: source failed on purpose")

// errSink is the error TestWriterTo's failing destination returns.
var errSink = errors.New("ioxtest: destination failed on purpose")

// TestReaderFrom checks the ReaderFrom contract on rf. It calls
// rf.ReadFrom twice: first with a source of 100,000 bytes that hides
// every fast path and returns its last bytes together with io.EOF, which
// must give (100000, nil) — never io.EOF; then with a source that gives 4
// bytes and fails, which must give n == 4 and that failure. When got is
// not nil it must then return all rf received, which must be both
// sources' bytes in order.
func TestReaderFrom(rf io.ReaderFrom, got func() ([]byte, error)) error {
	var rep report
	content := pattern(100000)
	var n int64
	var err error
	src := iotest.DataErrReader(onlyReader{bytes.NewReader(content)})
	if !rep.call("ReadFrom", func() { n, err = rf.ReadFrom(src) }) {
		return rep.err()
	}
	switch {
	case err == io.EOF || errors.Is(err, io.EOF):
		rep.add(ReadFromEOF, "ReadFrom of a source that ended returned the error %v", err)
	case err != nil:
		return errors.Join(rep.err(), fmt.Errorf("ReadFrom failed: %w", err))
	}
	if n != int64(len(content)) {
		rep.add(ReadFromCount, "ReadFrom of %d bytes returned n = %d", len(content), n)
	}
	tail := []byte("tail")
	failing := io.MultiReader(bytes.NewReader(tail), iotest.ErrReader(errSource))
	if !rep.call("ReadFrom(failing source)", func() { n, err = rf.ReadFrom(onlyReader{failing}) }) {
		return rep.err()
	}
	if !errors.Is(err, errSource) {
		rep.add(ReadFromError, "ReadFrom of a source that failed with %q returned the error %v", errSource, err)
	}
	if n != int64(len(tail)) {
		rep.add(ReadFromCount, "ReadFrom of a source that gave %d bytes and failed returned n = %d", len(tail), n)
	}
	if got != nil {
		b, err := got()
		if err != nil {
			return errors.Join(rep.err(), fmt.Errorf("unable to get what the ReaderFrom received: %w", err))
		}
		want := append(content, tail...)
		if !bytes.Equal(b, want) {
			rep.add(ReadFromCount, "the destination holds %d bytes, want %d: %s", len(b), len(want), diff(b, want))
		}
	}
	return rep.err()
}

// TestWriterTo checks the WriterTo contract on wt, whose content is
// content: WriteTo into a plain writer must deliver content and return
// n == len(content) and a nil error. When wt is also an io.Seeker, the
// checker seeks back to the start and calls WriteTo again into a writer
// that accepts 10 bytes and then fails: WriteTo must return that error
// and n equal to the bytes the writer accepted.
func TestWriterTo(wt io.WriterTo, content []byte) error {
	var rep report
	var sink bytes.Buffer
	var n int64
	var err error
	if !rep.call("WriteTo", func() { n, err = wt.WriteTo(onlyWriter{&sink}) }) {
		return rep.err()
	}
	if err != nil {
		return errors.Join(rep.err(), fmt.Errorf("WriteTo failed: %w", err))
	}
	if n != int64(sink.Len()) {
		rep.add(WriteToCount, "WriteTo returned n = %d but the writer received %d bytes", n, sink.Len())
	}
	if !bytes.Equal(sink.Bytes(), content) {
		rep.add(WriteToCount, "WriteTo delivered %d bytes, want %d: %s", sink.Len(), len(content), diff(sink.Bytes(), content))
	}
	s, ok := wt.(io.Seeker)
	if !ok || len(content) <= 10 {
		return rep.err()
	}
	if !rep.call("Seek(0, io.SeekStart)", func() { _, err = s.Seek(0, io.SeekStart) }) || err != nil {
		return rep.err()
	}
	lw := &limitedWriter{left: 10}
	if !rep.call("WriteTo(failing writer)", func() { n, err = wt.WriteTo(lw) }) {
		return rep.err()
	}
	if !errors.Is(err, errSink) {
		rep.add(WriteToError, "WriteTo into a writer that failed with %q returned the error %v", errSink, err)
	}
	if n != lw.took {
		rep.add(WriteToCount, "WriteTo into a writer that accepted %d bytes returned n = %d", lw.took, n)
	}
	return rep.err()
}

// limitedWriter accepts left bytes, then fails with errSink.
type limitedWriter struct{ left, took int64 }

func (w *limitedWriter) Write(p []byte) (int, error) {
	n := int(min(int64(len(p)), w.left))
	w.left -= int64(n)
	w.took += int64(n)
	if n < len(p) {
		return n, errSink
	}
	return n, nil
}

// onlyReader and onlyWriter hide every optional method.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }
