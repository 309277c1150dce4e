package peerbench

import (
	"io"
	"net"
	"testing"

	"github.com/deferio/deferio/procx/peer"
	proxyproto "github.com/pires/go-proxyproto"
)

// BenchmarkListener measures one whole connection over loopback: dial,
// send a v2 IPv4 header and one byte, Accept, RemoteAddr (which reads the
// header), read the byte, close both ends. Sockets dominate; the
// difference is what each library adds per connection.
func BenchmarkListener(b *testing.B) {
	hdr := inputs(b)[2].b[:28]
	msg := append(append([]byte(nil), hdr...), 'x')
	wraps := []struct {
		name string
		wrap func(net.Listener) net.Listener
	}{
		{"impl=deferio", func(l net.Listener) net.Listener {
			pl, err := peer.NewListener(l, peer.Config{Policy: func(net.Addr) peer.Policy { return peer.Require }})
			if err != nil {
				b.Fatal(err)
			}
			return pl
		}},
		{"impl=go-proxyproto", func(l net.Listener) net.Listener {
			return &proxyproto.Listener{Listener: l, ConnPolicy: func(proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) { return proxyproto.REQUIRE, nil }}
		}},
		{"impl=none", func(l net.Listener) net.Listener { return l }},
	}
	for _, w := range wraps {
		b.Run(w.name, func(b *testing.B) {
			inner, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			l := w.wrap(inner)
			defer l.Close()
			send := msg
			if w.name == "impl=none" {
				send = []byte("x")
			}
			buf := make([]byte, 1)
			b.ReportAllocs()
			for b.Loop() {
				c, err := net.Dial("tcp", inner.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				c.Write(send)
				s, err := l.Accept()
				if err != nil {
					b.Fatal(err)
				}
				if s.RemoteAddr() == nil {
					b.Fatal("no remote address")
				}
				if _, err := io.ReadFull(s, buf); err != nil || buf[0] != 'x' {
					b.Fatalf("read %q, %v", buf, err)
				}
				s.Close()
				c.Close()
			}
		})
	}
}
