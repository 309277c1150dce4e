package container

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"

	"github.com/deferio/deferio/iox"
)

// IOCounts are the bytes each standard stream of a [Process] moved, as
// counted when [Process.CountIO] is set.
type IOCounts struct {
	// Stdin is the number of bytes written into the process's standard
	// input: read from Process.Stdin and accepted by the pipe the
	// process reads.
	Stdin int64
	// Stdout and Stderr are the numbers of bytes the process (and every
	// process that inherited the stream) wrote to its standard output and
	// error, copied on to Process.Stdout and Process.Stderr.
	Stdout, Stderr int64
}

// stdioRelay copies between a counted process's pipes and its
// Process.Stdin, Stdout and Stderr.
type stdioRelay struct {
	stdin          iox.CountingWriter // nil when Stdin is nil
	stdout, stderr iox.CountingReader // nil when the file is nil
	inW            *os.File           // the parent's end of the stdin pipe
	wg             sync.WaitGroup     // the stdout and stderr copies
}

// attachStdio gives cmd the process's standard streams. Without CountIO
// they are the files themselves, so the process writes straight to them
// (and a detached container keeps them). With CountIO each non-nil one is
// replaced by a pipe, and a goroutine copies it through an iox counting
// wrapper. The returned function must be called once cmd has started or
// failed to: it closes the parent's copies of the process's ends and,
// after a failure (failed != nil), the stdin copy's pipe.
func (p *Process) attachStdio(cmd *exec.Cmd) (func(failed error), error) {
	if !p.CountIO {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = p.Stdin, p.Stdout, p.Stderr
		return func(error) {}, nil
	}
	r := &stdioRelay{}
	var ends []*os.File // the process's ends, then the parent's
	pipe := func(name string) (pr, pw *os.File, err error) {
		if pr, pw, err = os.Pipe(); err != nil {
			for _, f := range ends {
				f.Close()
			}
			return nil, nil, fmt.Errorf("unable to create the %s pipe: %w", name, err)
		}
		ends = append(ends, pr, pw)
		return pr, pw, nil
	}
	var childEnds []*os.File
	if p.Stdin != nil {
		pr, pw, err := pipe("stdin")
		if err != nil {
			return nil, err
		}
		cmd.Stdin, r.inW, r.stdin = pr, pw, iox.NewCountingWriter(pw)
		childEnds = append(childEnds, pr)
	}
	var outR [2]*os.File
	for i, dst := range []*os.File{p.Stdout, p.Stderr} {
		if dst == nil {
			continue
		}
		pr, pw, err := pipe([2]string{"stdout", "stderr"}[i])
		if err != nil {
			return nil, err
		}
		outR[i] = pr
		childEnds = append(childEnds, pw)
		if i == 0 {
			cmd.Stdout, r.stdout = pw, iox.NewCountingReader(pr)
		} else {
			cmd.Stderr, r.stderr = pw, iox.NewCountingReader(pr)
		}
	}
	// Stdin goes through OnlyWriter: the copy then uses a buffer and the
	// count grows with every write, so it is right even when the copy is
	// still blocked reading a terminal as the process exits (a splice
	// would add its count only at the end).
	if r.stdin != nil {
		go func() {
			io.Copy(iox.OnlyWriter(r.stdin), p.Stdin)
			r.inW.Close() // the process reads EOF
		}()
	}
	// Stdout and stderr keep io.Copy's fast paths: the counting reader's
	// WriteTo is the pipe's own. Wait waits for both copies to end.
	for i, cr := range []iox.CountingReader{r.stdout, r.stderr} {
		if cr == nil {
			continue
		}
		dst, pr := []*os.File{p.Stdout, p.Stderr}[i], outR[i]
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			io.Copy(dst, cr)
			pr.Close() // a process still writing gets EPIPE
		}()
	}
	p.relay = r
	return func(failed error) {
		for _, f := range childEnds {
			f.Close()
		}
		if failed != nil && r.inW != nil {
			r.inW.Close()
		}
	}, nil
}

// wait ends the relay once the process has exited: it cuts the stdin copy
// off (its count is then final) and waits for the stdout and stderr copies,
// which end when every process that holds the pipes has exited (in a new
// PID namespace, when init has).
func (r *stdioRelay) wait() {
	if r == nil {
		return
	}
	if r.inW != nil {
		r.inW.Close()
	}
	r.wg.Wait()
}

// IOCounts returns the bytes each standard stream moved when CountIO was
// set, and zeros otherwise (and for a nil stream, or with a terminal:
// count the copies to and from Console then). Read them once
// [Process.Wait] has returned: Stdout and Stderr are final then, and
// Stdin can only miss a write that was in flight as Wait cut it off.
func (p *Process) IOCounts() IOCounts {
	r := p.relay
	var c IOCounts
	if r == nil {
		return c
	}
	if r.stdin != nil {
		c.Stdin = r.stdin.N()
	}
	if r.stdout != nil {
		c.Stdout = r.stdout.N()
	}
	if r.stderr != nil {
		c.Stderr = r.stderr.N()
	}
	return c
}
