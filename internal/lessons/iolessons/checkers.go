package iolessons

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing/iotest"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/iox/ioxtest"
)

func checkers(ctx context.Context, p *lesson.Page) error {
	content := []byte(strings.Repeat("the contract, checked. ", 40))
	p.Text("iox/ioxtest has a checker per interface and an injector per broken rule. Each injector wraps a correct reader or writer and breaks one rule; the checker names the rule and quotes package io. testing/iotest.TestReader, for comparison, only checks Read, Seek and ReadAt, with a single goroutine.")
	if err := showSnippet(p, "checkers.go", "check"); err != nil {
		return err
	}
	type row struct {
		name   string
		iotest bool // whether testing/iotest.TestReader applies
		check  func() (checker, iot error)
	}
	rows := []row{
		{"ZeroReader(r, 100)", true, func() (error, error) {
			// show: check
			err := ioxtest.TestReader(ioxtest.ZeroReader(bytes.NewReader(content), 100), content)
			iot := iotest.TestReader(ioxtest.ZeroReader(bytes.NewReader(content), 100), content)
			// end: check
			return err, iot
		}},
		{"RetainingReader(r)", true, func() (error, error) {
			return ioxtest.TestReader(ioxtest.RetainingReader(bytes.NewReader(content)), content),
				iotest.TestReader(ioxtest.RetainingReader(bytes.NewReader(content)), content)
		}},
		{"WrappedEOFReader(r)", true, func() (error, error) {
			return ioxtest.TestReader(ioxtest.WrappedEOFReader(bytes.NewReader(content)), content),
				iotest.TestReader(ioxtest.WrappedEOFReader(bytes.NewReader(content)), content)
		}},
		{"SeekingReaderAt(r)", true, func() (error, error) {
			return ioxtest.TestReaderAt(ioxtest.SeekingReaderAt(bytes.NewReader(content)), content),
				iotest.TestReader(ioxtest.SeekingReaderAt(bytes.NewReader(content)), content)
		}},
		{"AnyWhenceSeeker(r)", true, func() (error, error) {
			return ioxtest.TestSeeker(ioxtest.AnyWhenceSeeker(bytes.NewReader(content)), content),
				iotest.TestReader(ioxtest.AnyWhenceSeeker(bytes.NewReader(content)), content)
		}},
		{"ShortWriter(w)", false, func() (error, error) {
			return ioxtest.TestWriter(ioxtest.ShortWriter(io.Discard), nil), nil
		}},
		{"ModifyingWriter(w)", false, func() (error, error) {
			return ioxtest.TestWriter(ioxtest.ModifyingWriter(io.Discard), nil), nil
		}},
		{"EOFReaderFrom(rf)", false, func() (error, error) {
			return ioxtest.TestReaderFrom(ioxtest.EOFReaderFrom(new(bytes.Buffer)), nil), nil
		}},
		{"ByteUnreadRune(r)", false, func() (error, error) {
			return ioxtest.TestRuneScanner(ioxtest.ByteUnreadRune(strings.NewReader("añb€")), []byte("añb€")), nil
		}},
	}
	var out strings.Builder
	for _, r := range rows {
		err, iot := r.check()
		fmt.Fprintf(&out, "%s\n", r.name)
		for _, v := range ioxtest.Violations(err) {
			fmt.Fprintf(&out, "  ioxtest: broke %s\n           io says: %q\n", v.Rule.Name, v.Rule.Doc)
		}
		if err == nil {
			out.WriteString("  ioxtest: passed\n")
		}
		switch {
		case !r.iotest:
			out.WriteString("  iotest.TestReader: has no check for this interface\n")
		case iot == nil:
			out.WriteString("  iotest.TestReader: passed\n")
		default:
			out.WriteString("  iotest.TestReader: failed\n")
		}
	}
	p.Output("each injector against its checker", out.String())
	p.Text("The same checkers pass on bytes.Reader, strings.Reader, *os.File, io.SectionReader, bufio, gzip and every iox type (iox/ioxtest's tests). A checker turns a panic into a violation, so it can run over untrusted implementations.")
	return nil
}
