package iox

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress is a snapshot of a copy in progress.
type Progress struct {
	// Done is the number of bytes read so far.
	Done int64
	// Total is the expected number of bytes, or -1 when unknown.
	Total int64
	// Elapsed is the time since the first read.
	Elapsed time.Duration
	// Final is true on the last report, made at EOF or on an error.
	Final bool
}

// Fraction returns Done/Total between 0 and 1, or -1 when Total is unknown.
func (p Progress) Fraction() float64 {
	if p.Total < 0 {
		return -1
	}
	if p.Total == 0 {
		return 1
	}
	return min(float64(p.Done)/float64(p.Total), 1)
}

// Bar renders p as a text progress bar of width cells between brackets,
// followed by the percentage, such as "[#####     ]  50%". With an unknown
// total it shows the byte count instead. A width below 1 is taken as 1.
func (p Progress) Bar(width int) string {
	width = max(width, 1)
	f := p.Fraction()
	if f < 0 {
		return fmt.Sprintf("[%s] %d bytes", strings.Repeat("?", width), p.Done)
	}
	full := int(f * float64(width))
	return fmt.Sprintf("[%s%s] %3.0f%%", strings.Repeat("#", full), strings.Repeat(" ", width-full), 100*f)
}

// DefaultProgressStep is the step used when NewProgressReader is given a
// step of zero or less.
const DefaultProgressStep = 1 << 20

// NewProgressReader returns a Reader that reads from r and calls report
// each time at least step more bytes have been read, and once more with
// Final set when r returns an error or EOF. total is the expected size, or
// -1 when unknown; it only feeds [Progress.Fraction]. A step of zero or less
// means [DefaultProgressStep]. report runs on the reading goroutine and
// must be quick; it is never called with Done going backwards.
//
// Fast paths: the returned value implements io.WriterTo by copying in
// chunks of step bytes with io.CopyN(w, r, step), reporting after each.
// io.CopyN hands w an *io.LimitedReader over r, which *os.File.ReadFrom and
// *net.TCPConn.ReadFrom still see through, so a file-to-file copy keeps
// copy_file_range and a file-to-socket copy keeps sendfile, one call per
// step. It does not forward Seek or ReadAt, whose bytes would not be
// progress along the stream.
func NewProgressReader(r io.Reader, total, step int64, report func(Progress)) io.Reader {
	if step <= 0 {
		step = DefaultProgressStep
	}
	if report == nil {
		report = func(Progress) {}
	}
	return &progressReader{r: r, total: total, step: step, report: report}
}

type progressReader struct {
	r      io.Reader
	total  int64
	step   int64
	report func(Progress)

	start    time.Time
	done     int64
	reported int64
	final    bool
}

func (p *progressReader) tick(n int64, err error) {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	p.done += n
	if p.final {
		return
	}
	if err != nil {
		p.final = true
		p.report(Progress{Done: p.done, Total: p.total, Elapsed: time.Since(p.start), Final: true})
		p.reported = p.done
		return
	}
	if p.done-p.reported >= p.step {
		p.report(Progress{Done: p.done, Total: p.total, Elapsed: time.Since(p.start)})
		p.reported = p.done
	}
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.tick(int64(n), err)
	return n, err
}

func (p *progressReader) WriteTo(w io.Writer) (int64, error) {
	var written int64
	for {
		n, err := io.CopyN(w, p.r, p.step)
		written += n
		switch {
		case err == nil:
			p.tick(n, nil)
		case err == io.EOF: // io.CopyN returns io.EOF itself when r ran out
			p.tick(n, io.EOF)
			return written, nil
		default:
			p.tick(n, err)
			return written, err
		}
	}
}
