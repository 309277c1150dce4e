package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/deferio/deferio/container"
)

// ioTrace is what --trace-io (run and exec) collects: the process's stdio
// counts come from [container.Process.IOCounts], a terminal's from the
// console relay.
type ioTrace struct {
	console               bool  // the process had a terminal
	consoleIn, consoleOut int64 // bytes relayed to and from it
}

// traceIOFlag registers --trace-io on fs and returns what makes the
// trace once fs is parsed: nil when the flag is off.
func traceIOFlag(fs *flag.FlagSet) func() *ioTrace {
	on := fs.Bool("trace-io", false, "after the program exits, print on stderr the bytes each stdio stream moved (stdin, stdout, stderr, or console in and out)")
	return func() *ioTrace {
		if !*on {
			return nil
		}
		return &ioTrace{}
	}
}

// print writes one line per stream to w, such as
// "nsinit: trace-io: stdout 1234 bytes". A nil trace prints nothing.
func (t *ioTrace) print(w io.Writer, p *container.Process) {
	if t == nil {
		return
	}
	if t.console {
		fmt.Fprintf(w, "nsinit: trace-io: console in %d bytes\n", t.consoleIn)
		fmt.Fprintf(w, "nsinit: trace-io: console out %d bytes\n", t.consoleOut)
		return
	}
	n := p.IOCounts()
	fmt.Fprintf(w, "nsinit: trace-io: stdin %d bytes\n", n.Stdin)
	fmt.Fprintf(w, "nsinit: trace-io: stdout %d bytes\n", n.Stdout)
	fmt.Fprintf(w, "nsinit: trace-io: stderr %d bytes\n", n.Stderr)
}
