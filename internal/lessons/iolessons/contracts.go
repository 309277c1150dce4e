package iolessons

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"testing/iotest"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/iox"
)

func contracts(ctx context.Context, p *lesson.Page) error {
	var tr iox.Tracer
	trace := func(caption string) {
		p.Output(caption, tr.String())
		tr.Reset()
	}

	p.Heading("Read: data first, io.EOF after")
	p.Text("iox.Tracer wraps a reader or writer and records every call: the method, len(p), what it returned. io.ReadAll starts with a 512-byte buffer:")
	if err := showSnippet(p, "contracts.go", "readall"); err != nil {
		return err
	}
	// show: readall
	r := tr.Reader("r", strings.NewReader("hello, world"))
	b, err := io.ReadAll(r)
	// end: readall
	fmt.Fprintf(p.Writer(), "io.ReadAll returned %q, %v\n\n", b, err)
	trace("trace")

	p.Text("The contract also allows the last bytes to come together with io.EOF (testing/iotest.DataErrReader does that). A caller must use the n bytes before looking at err:")
	if err := showSnippet(p, "contracts.go", "dataerr"); err != nil {
		return err
	}
	// show: dataerr
	r = tr.Reader("r", iotest.DataErrReader(strings.NewReader("hello, world")))
	b, err = io.ReadAll(r)
	// end: dataerr
	fmt.Fprintf(p.Writer(), "io.ReadAll returned %q, %v\n\n", b, err)
	trace("trace")

	p.Heading("Read may return less than asked: bufio fills its buffer")
	if err := showSnippet(p, "contracts.go", "bufio"); err != nil {
		return err
	}
	// show: bufio
	br := bufio.NewReaderSize(tr.Reader("r", iotest.HalfReader(strings.NewReader("line one\nline two\n"))), 16)
	line, err := br.ReadString('\n')
	// end: bufio
	fmt.Fprintf(p.Writer(), "ReadString returned %q, %v\n\n", line, err)
	trace("trace")

	p.Heading("Write: all of p, or an error")
	p.Text("A bufio.Writer of 8 bytes over a traced writer: small writes are gathered; Write of more than the buffer holds flushes what is buffered and then, the buffer being empty, passes p straight through. (WriteString does not bypass the buffer unless the writer below has WriteString.)")
	if err := showSnippet(p, "contracts.go", "bufwriter"); err != nil {
		return err
	}
	// show: bufwriter
	var sink strings.Builder
	bw := bufio.NewWriterSize(tr.Writer("w", &sink), 8)
	io.WriteString(bw, "abc")
	io.WriteString(bw, "defgh")
	bw.Write([]byte("a line of 21 bytes..."))
	bw.Flush()
	// end: bufwriter
	trace("trace")

	p.Heading("Seek and ReadAt")
	p.Text("An io.SectionReader turns every Read into a ReadAt at the section's base plus its own offset; Seek only changes that offset. An invalid whence is an error.")
	if err := showSnippet(p, "contracts.go", "section"); err != nil {
		return err
	}
	// show: section
	base := tr.Reader("base", strings.NewReader("header|payload|trailer")).(io.ReaderAt)
	sec := io.NewSectionReader(base, 7, 7)
	buf := make([]byte, 4)
	sec.Read(buf)
	sec.Seek(-2, io.SeekEnd)
	sec.Read(buf)
	rs := tr.Reader("rs", strings.NewReader("0123456789")).(io.Seeker)
	rs.Seek(-3, io.SeekEnd)
	rs.Seek(1, io.SeekCurrent)
	rs.Seek(0, 7)
	// end: section
	trace("trace")
	return nil
}
