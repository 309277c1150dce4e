package peerbench

import (
	"io"
	"net"
	"testing"

	"github.com/deferio/deferio/procx/peer"
)

// BenchmarkRelayThroughput streams 1 MiB writes over loopback TCP to a
// server that discards them, three ways side by side: straight to the
// server (path=direct); through peer.Relay with a PROXY v2 header
// (path=relay), which copies with splice(2) through iox's counting
// writers, as a container's published port does; and through the same
// relay loop forced through a 32 KiB user-space buffer (path=relay-copy),
// which is what a forwarder that hides the sockets' ReadFrom does.
//
//	go test -run '^$' -bench RelayThroughput -count=6 ./peerbench/ | benchstat -col /path -
func BenchmarkRelayThroughput(b *testing.B) {
	for _, path := range []string{"direct", "relay", "relay-copy"} {
		b.Run("path="+path, func(b *testing.B) {
			sink, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer sink.Close()
			go func() {
				for {
					c, err := sink.Accept()
					if err != nil {
						return
					}
					go func() {
						defer c.Close()
						// The header, when there is one, is 28 bytes of
						// the stream like any other: the sink drops it.
						io.Copy(io.Discard, c)
					}()
				}
			}()
			target := sink.Addr().String()
			if path != "direct" {
				front, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				dial := func() (net.Conn, error) { return net.Dial("tcp", target) }
				if path == "relay-copy" {
					dial = func() (net.Conn, error) {
						c, err := net.Dial("tcp", target)
						if err != nil {
							return nil, err
						}
						return bufferedConn{c}, nil
					}
				}
				r := &peer.Relay{Version: 2, Dial: dial}
				done := make(chan struct{})
				go func() { r.Serve(front); close(done) }()
				defer func() { front.Close(); <-done }()
				target = front.Addr().String()
			}
			c, err := net.Dial("tcp", target)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			buf := make([]byte, 1<<20)
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bufferedConn hides a connection's ReadFrom and WriteTo (and its
// *net.TCPConn type), so io.Copy into it goes through a user-space buffer.
type bufferedConn struct{ net.Conn }

func (c bufferedConn) ReadFrom(r io.Reader) (int64, error) {
	return io.CopyBuffer(struct{ io.Writer }{c.Conn}, struct{ io.Reader }{r}, make([]byte, 32<<10))
}
