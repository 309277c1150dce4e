package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"

	"github.com/deferio/deferio/procx/peer"
)

// peerserve listens on PORT (every address), reads the first line of
// each connection and answers with one line that says who the kernel says
// the peer is, who the PROXY header (when the connection starts with one)
// says the client is, and how many bytes the line had:
//
//	kernel=10.89.0.1:41234 client=10.90.0.2:53012 header=v2 read=6
//
// The same line goes to stdout. It serves COUNT connections, then exits
// (0 means forever). It is the server of the port publishing lessons.
func peerserve(args []string) int {
	if len(args) < 1 || len(args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: peerserve PORT [COUNT]")
		return 2
	}
	port, err := strconv.ParseUint(args[0], 10, 16)
	if err != nil {
		fmt.Fprintf(os.Stderr, "peerserve: %q is not a port\n", args[0])
		return 2
	}
	count := 0
	if len(args) == 2 {
		if count, err = strconv.Atoi(args[1]); err != nil || count < 0 {
			fmt.Fprintf(os.Stderr, "peerserve: %q is not a count\n", args[1])
			return 2
		}
	}
	l, err := net.Listen("tcp", ":"+strconv.Itoa(int(port)))
	if err != nil {
		return fail("peerserve", err)
	}
	defer l.Close()
	// Use: a header is used when it comes, and a client without one is
	// served as it is, so the lesson can show both.
	pl, err := peer.NewListener(l, peer.Config{Policy: func(net.Addr) peer.Policy { return peer.Use }})
	if err != nil {
		return fail("peerserve", err)
	}
	fmt.Printf("peerserve: listening on %s\n", l.Addr())
	for n := 0; count == 0 || n < count; n++ {
		c, err := pl.Accept()
		if err != nil {
			return fail("peerserve", err)
		}
		serveOne(c.(*peer.Conn))
	}
	return 0
}

func serveOne(c *peer.Conn) {
	defer c.Close()
	// The answer comes after the client's first line (at most 1 MiB), so
	// a client that reads it knows its bytes arrived.
	r := bufio.NewReaderSize(io.LimitReader(c, 1<<20), 4096)
	n := 0
	for {
		chunk, err := r.ReadSlice('\n')
		n += len(chunk)
		if err != bufio.ErrBufferFull {
			break
		}
	}
	kernel := c.NetConn().RemoteAddr()
	line := fmt.Sprintf("kernel=%v client=%v header=none read=%d", kernel, c.RemoteAddr(), n)
	if h, err := c.Header(); err != nil {
		line = fmt.Sprintf("kernel=%v error=%q", kernel, err.Error())
	} else if h != nil && c.HeaderUsed() {
		line = fmt.Sprintf("kernel=%v client=%v header=v%d read=%d", kernel, c.RemoteAddr(), h.Version, n)
	}
	fmt.Println(line)
	fmt.Fprintln(c, line)
}
