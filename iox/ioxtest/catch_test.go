package ioxtest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/deferio/deferio/iox/ioxtest"
)

// Each injector breaks one rule, and the checker that owns the rule must
// report exactly that rule.
func TestCheckersCatchInjectors(t *testing.T) {
	var buf bytes.Buffer
	bufGot := func() ([]byte, error) { return buf.Bytes(), nil }
	cases := []struct {
		name string
		run  func(t *testing.T) error
		rule ioxtest.Rule
	}{
		{"ZeroReader(100)", func(*testing.T) error {
			return ioxtest.TestReader(ioxtest.ZeroReader(bytes.NewReader(content), 100), content)
		}, ioxtest.ReadNoProgress},
		{"OverReader", func(*testing.T) error {
			return ioxtest.TestReader(ioxtest.OverReader(bytes.NewReader(content)), content)
		}, ioxtest.ReadBounds},
		{"RetainingReader", func(*testing.T) error {
			return ioxtest.TestReader(ioxtest.RetainingReader(bytes.NewReader(content)), content)
		}, ioxtest.ReadRetain},
		{"WrappedEOFReader", func(*testing.T) error {
			return ioxtest.TestReader(ioxtest.WrappedEOFReader(bytes.NewReader(content)), content)
		}, ioxtest.ReadEOFIdentity},
		{"EarlyEOFReader", func(*testing.T) error {
			return ioxtest.TestReader(ioxtest.EarlyEOFReader(bytes.NewReader(content)), content)
		}, ioxtest.ReadContent},
		{"ShortWriter", func(*testing.T) error {
			buf.Reset()
			return ioxtest.TestWriter(ioxtest.ShortWriter(&buf), bufGot)
		}, ioxtest.WriteShort},
		{"ModifyingWriter", func(*testing.T) error {
			buf.Reset()
			return ioxtest.TestWriter(ioxtest.ModifyingWriter(&buf), bufGot)
		}, ioxtest.WriteModify},
		{"OverWriter", func(*testing.T) error {
			buf.Reset()
			return ioxtest.TestWriter(ioxtest.OverWriter(&buf), bufGot)
		}, ioxtest.WriteBounds},
		{"ShortReaderAt", func(*testing.T) error {
			return ioxtest.TestReaderAt(ioxtest.ShortReaderAt(bytes.NewReader(content)), content)
		}, ioxtest.ReadAtShort},
		{"SeekingReaderAt", func(*testing.T) error {
			return ioxtest.TestReaderAt(ioxtest.SeekingReaderAt(bytes.NewReader(content)), content)
		}, ioxtest.ReadAtOffset},
		{"SeekingReaderAt(os.File)", func(t *testing.T) error {
			return ioxtest.TestReaderAt(ioxtest.SeekingReaderAt(tempFile(t, content)), content)
		}, ioxtest.ReadAtOffset},
		{"ShortWriterAt", func(t *testing.T) error {
			return ioxtest.TestWriterAt(ioxtest.ShortWriterAt(emptyFile(t)), 0, nil)
		}, ioxtest.WriteAtShort},
		{"SeekingWriterAt", func(t *testing.T) error {
			f := emptyFile(t)
			return ioxtest.TestWriterAt(ioxtest.SeekingWriterAt(f), 0, fileBytes(f))
		}, ioxtest.WriteAtOffset},
		{"AnyWhenceSeeker", func(*testing.T) error {
			return ioxtest.TestSeeker(ioxtest.AnyWhenceSeeker(bytes.NewReader(content)), content)
		}, ioxtest.SeekWhence},
		{"NegativeSeeker", func(t *testing.T) error {
			return ioxtest.TestSeeker(ioxtest.NegativeSeeker(tempFile(t, content)), content)
		}, ioxtest.SeekNegative},
		{"EOFReaderFrom", func(*testing.T) error {
			buf.Reset()
			return ioxtest.TestReaderFrom(ioxtest.EOFReaderFrom(&buf), bufGot)
		}, ioxtest.ReadFromEOF},
		{"MiscountWriterTo", func(*testing.T) error {
			return ioxtest.TestWriterTo(ioxtest.MiscountWriterTo(bytes.NewReader(content)), content)
		}, ioxtest.WriteToCount},
		{"ErrDroppingWriterTo", func(*testing.T) error {
			return ioxtest.TestWriterTo(ioxtest.ErrDroppingWriterTo(bytes.NewReader(content)), content)
		}, ioxtest.WriteToError},
		{"ForgetfulUnreadByte", func(*testing.T) error {
			return ioxtest.TestByteScanner(ioxtest.ForgetfulUnreadByte(bufio.NewReader(bytes.NewReader(content))), content)
		}, ioxtest.UnreadByteRule},
		{"ByteUnreadRune", func(*testing.T) error {
			return ioxtest.TestRuneScanner(ioxtest.ByteUnreadRune(strings.NewReader(string(content))), content)
		}, ioxtest.UnreadRuneRule},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run(t)
			if err == nil {
				t.Fatalf("the checker passed %s, which breaks %s", c.name, c.rule.Name)
			}
			if !ioxtest.Broke(err, c.rule) {
				t.Fatalf("the checker reported %v, want a violation of %s", err, c.rule.Name)
			}
			for _, v := range ioxtest.Violations(err) {
				if v.Rule.Name != c.rule.Name {
					t.Errorf("the checker also reported %v", v)
				}
				if !strings.Contains(v.Error(), v.Rule.Doc) || !strings.Contains(v.Error(), v.Rule.Name) {
					t.Errorf("the violation %q does not name its rule and quote io", v)
				}
			}
		})
	}
}

// testing/iotest.TestReader lets these broken readers through; ioxtest
// catches them (TestCheckersCatchInjectors). Each entry is a claim of
// FACTS.md §3 checked against the installed toolchain.
func TestIotestMisses(t *testing.T) {
	cases := map[string]io.Reader{
		"ZeroReader(100)": ioxtest.ZeroReader(bytes.NewReader(content), 100),
		"RetainingReader": ioxtest.RetainingReader(bytes.NewReader(content)),
		"SeekingReaderAt": ioxtest.SeekingReaderAt(bytes.NewReader(content)),
		"AnyWhenceSeeker": ioxtest.AnyWhenceSeeker(bytes.NewReader(content)),
		"NegativeSeeker":  ioxtest.NegativeSeeker(bytes.NewReader(content)),
		"ByteUnreadRune": struct {
			io.Reader
			io.RuneScanner
		}{bytes.NewReader(content), ioxtest.ByteUnreadRune(bytes.NewReader(content))},
	}
	for name, r := range cases {
		if err := iotest.TestReader(r, content); err != nil {
			t.Errorf("iotest.TestReader caught %s: %v", name, err)
		}
	}
}

// A checker turns a panicking method into a violation instead of
// crashing the test.
func TestCheckerSurvivesPanic(t *testing.T) {
	err := ioxtest.TestReader(panicReader{}, content)
	if !ioxtest.Broke(err, ioxtest.PanicRule) {
		t.Fatalf("TestReader(panicReader) = %v, want a %s violation", err, ioxtest.PanicRule.Name)
	}
}

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("boom") }

// Report hands each violation to the TB.
func TestReport(t *testing.T) {
	var rec recorder
	err := ioxtest.TestWriter(ioxtest.ShortWriter(io.Discard), nil)
	ioxtest.Report(&rec, "w", err)
	if len(rec.lines) != 1 || !strings.Contains(rec.lines[0], "Write.short") {
		t.Fatalf("Report wrote %q, want one Write.short line", rec.lines)
	}
	ioxtest.Report(&rec, "w", nil)
	if len(rec.lines) != 1 {
		t.Fatalf("Report(nil) wrote %q", rec.lines[1:])
	}
}

type recorder struct{ lines []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}
