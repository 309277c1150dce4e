package peerlessons

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx/peer"
)

var (
	trustedProxy = netip.MustParseAddr("127.0.0.11")
	stranger     = netip.MustParseAddr("127.0.0.2")
)

// show: listener
// listen wraps a TCP listener: only the proxy may send a header; anyone
// else who sends one is refused. Headers are read by each connection's
// own goroutine, bounded in time and size: never in Accept.
func listen() (*peer.Listener, error) {
	inner, err := net.Listen("tcp", "127.0.0.20:0")
	if err != nil {
		return nil, err
	}
	policy, err := peer.PolicyByCIDR([]peer.Rule{
		{Prefix: netip.PrefixFrom(trustedProxy, 32), Policy: peer.Require},
	}, peer.Reject)
	if err != nil {
		inner.Close()
		return nil, err
	}
	return peer.NewListener(inner, peer.Config{
		Policy:            policy,
		ReadHeaderTimeout: 3 * time.Second,
		MaxHeaderSize:     peer.DefaultMaxHeaderSize,
	})
}

// end: listener

type event struct {
	from string
	what string
}

func policyLesson() lesson.Lesson {
	return lesson.Lesson{
		ID: "peer-policy", Topic: "peer", Title: "Trust a header only from your proxies, and bound it",
		Run: func(ctx context.Context, p *lesson.Page) error {
			if err := showSnippet(p, "policy.go", "listener"); err != nil {
				return err
			}
			l, err := listen()
			if err != nil {
				return fmt.Errorf("unable to listen on loopback: %w", err)
			}
			defer l.Close()
			events := make(chan event, 8)
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					go func() {
						defer c.Close()
						who := c.(*peer.Conn).NetConn().RemoteAddr().(*net.TCPAddr).IP.String()
						if _, err := c.(*peer.Conn).Header(); err != nil {
							events <- event{who, "refused: " + short(err)}
							return
						}
						events <- event{who, "served, client is " + c.RemoteAddr().String()}
					}()
				}
			}()
			addr := l.Addr().String()
			dial := func(from netip.Addr) (*net.TCPConn, error) {
				d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from.AsSlice()}}
				c, err := d.DialContext(ctx, "tcp", addr)
				if err != nil {
					return nil, fmt.Errorf("unable to connect from %s: %w", from, err)
				}
				return c.(*net.TCPConn), nil
			}
			var log []string
			wait := func() {
				e := <-events
				log = append(log, fmt.Sprintf("%-10s %s", e.from, e.what))
			}

			// 1. A stranger claims to be someone else.
			c, err := dial(stranger)
			if err != nil {
				return err
			}
			c.Write([]byte("PROXY TCP4 6.6.6.6 127.0.0.20 1234 80\r\n"))
			wait()
			c.Close()

			// 2. The proxy sends a header one byte at a time, slowly;
			// meanwhile it opens a second connection with a whole header.
			slow, err := dial(trustedProxy)
			if err != nil {
				return err
			}
			stop := make(chan struct{})
			go func() {
				for _, b := range []byte("PROXY TCP4 198.51.100.1 127.0.0.20 1111 80\r\n") {
					select {
					case <-stop:
						return
					case <-time.After(500 * time.Millisecond):
					}
					slow.Write([]byte{b})
				}
			}()
			fast, err := dial(trustedProxy)
			if err != nil {
				close(stop)
				return err
			}
			fast.Write([]byte("PROXY TCP4 198.51.100.2 127.0.0.20 2222 80\r\n"))
			wait() // the fast one is served first
			wait() // the slow one runs out of time
			close(stop)
			slow.Close()
			fast.Close()

			// 3. The proxy's header claims 60000 bytes.
			big, err := dial(trustedProxy)
			if err != nil {
				return err
			}
			big.Write([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\xea\x60"))
			wait()
			big.Close()

			p.Text("Three clients: a stranger at 127.0.0.2 sends a PROXY line claiming to be 6.6.6.6; the proxy at 127.0.0.11 opens a connection whose header trickles in at one byte every half second, then a second connection with a whole header; finally the proxy sends a v2 header whose length field says 60,000 bytes.")
			p.Output("what the server did, in order", joinLines(log))
			return nil
		},
	}
}

// short says in a stable sentence why a connection was refused.
func short(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, peer.ErrTooLarge):
		return "header larger than the 4096-byte bound (refused before its body arrived)"
	case errors.Is(err, peer.ErrRefused):
		return "a PROXY header from a source that may not send one"
	case errors.As(err, &ne) && ne.Timeout():
		return "header not complete at the 3 s deadline"
	}
	return err.Error()
}

func joinLines(lines []string) string {
	s := ""
	for _, l := range lines {
		s += l + "\n"
	}
	return s
}
