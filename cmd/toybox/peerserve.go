package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/deferio/deferio/procx/peer"
)

// peerserve listens on PORT (every address) and answers each connection
// with one line that says who the kernel says the peer is and who the
// PROXY header (when the connection starts with one) says the client is:
//
//	kernel=10.89.0.1:41234 client=10.90.0.2:53012 header=v2
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
	kernel := c.NetConn().RemoteAddr()
	line := fmt.Sprintf("kernel=%v client=%v header=none", kernel, c.RemoteAddr())
	if h, err := c.Header(); err != nil {
		line = fmt.Sprintf("kernel=%v error=%q", kernel, err.Error())
	} else if h != nil && c.HeaderUsed() {
		line = fmt.Sprintf("kernel=%v client=%v header=v%d", kernel, c.RemoteAddr(), h.Version)
	}
	fmt.Println(line)
	w := bufio.NewWriter(c)
	fmt.Fprintln(w, line)
	w.Flush()
	c.CloseWrite()
	// Drain what the client still sends, so closing does not reset the
	// connection before the client read the line.
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}
