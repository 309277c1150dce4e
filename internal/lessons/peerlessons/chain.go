package peerlessons

import (
	"context"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx/peer"
)

// A sighting is what the server saw of one connection.
type sighting struct {
	remote, peername net.Addr // raw socket: RemoteAddr and getpeername
	wrapped          net.Addr // RemoteAddr through peer.Conn
	header           string
	result           peer.Result
	err              error
}

// show: server
// serveOne accepts one connection and looks at it every way there is.
func serveOne(l net.Listener, cfg peer.Config) sighting {
	c, err := l.Accept()
	if err != nil {
		return sighting{err: err}
	}
	defer c.Close()
	var s sighting
	s.remote = c.RemoteAddr()                              // what package net says
	s.peername, s.err = peer.Getpeername(c.(syscall.Conn)) // what the kernel says
	pc, _ := peer.NewConn(c, cfg)                          // reads a PROXY header, if any
	s.wrapped = pc.RemoteAddr()
	if h, _ := pc.Header(); h != nil {
		s.header = h.String()
	}
	s.result = peer.Resolve(pc, nil, peer.HTTPTrust{}) // every method, in order
	c.Write([]byte("bye\n"))
	c.(interface{ CloseWrite() error }).CloseWrite()
	io.Copy(io.Discard, pc)
	return s
}

// end: server

// chain runs client -> relay -> server once. version is the PROXY
// header the relay sends (0: none).
func chain(ctx context.Context, t *topology, version int, cfg peer.Config) (client net.Addr, relayOut string, s sighting, err error) {
	sl, err := t.listen("server", t.server)
	if err != nil {
		return nil, "", s, err
	}
	defer sl.Close()
	got := make(chan sighting, 1)
	go func() { got <- serveOne(sl, cfg) }()

	pl, err := t.listen("proxy", t.front)
	if err != nil {
		return nil, "", s, err
	}
	upstream := make(chan net.Addr, 1)
	relay := &peer.Relay{Version: version, Dial: func() (net.Conn, error) {
		c, err := t.dial(ctx, "proxy", t.back, sl.Addr().String())
		if err == nil {
			upstream <- c.LocalAddr()
		}
		return c, err
	}}
	done := make(chan error, 1)
	go func() { done <- relay.Serve(pl) }()
	defer func() { pl.Close(); <-done }()

	c, err := t.dial(ctx, "client", t.client, pl.Addr().String())
	if err != nil {
		return nil, "", s, err
	}
	defer c.Close()
	c.Write([]byte("hello\n"))
	c.(*net.TCPConn).CloseWrite()
	if _, err := io.ReadAll(c); err != nil {
		return nil, "", s, fmt.Errorf("client: %w", err)
	}
	s = <-got
	if s.err != nil {
		return nil, "", s, s.err
	}
	relayOut = fmt.Sprintf("%v -> %v", <-upstream, sl.Addr())
	return c.LocalAddr(), relayOut, s, nil
}

func getpeernameLesson() lesson.Lesson {
	return lesson.Lesson{
		ID: "peer-getpeername", Topic: "peer", Title: "getpeername behind a proxy names the proxy",
		Run: func(ctx context.Context, p *lesson.Page) error {
			t, err := newTopology(useNamespaces)
			if err != nil {
				return err
			}
			defer t.Close()
			p.Textf("Topology: %s. A client connects to a TCP proxy, which opens its own connection to the server and copies bytes both ways. The server looks at its connection:", t.name)
			if err := showSnippet(p, "chain.go", "server"); err != nil {
				return err
			}
			client, relayOut, s, err := chain(ctx, t, 0, peer.Config{Policy: func(net.Addr) peer.Policy { return peer.Skip }})
			if err != nil {
				return err
			}
			p.Output("what each side saw", fmt.Sprintf(
				"client connected from     %v\nproxy connected upstream  %s\nserver: c.RemoteAddr()    %v\nserver: getpeername(fd)   %v",
				client, relayOut, s.remote, s.peername))
			printSteps(p, s.result)
			return nil
		},
	}
}

func proxyProtocolLesson() lesson.Lesson {
	return lesson.Lesson{
		ID: "peer-proxy-protocol", Topic: "peer", Title: "The PROXY protocol carries the client",
		Run: func(ctx context.Context, p *lesson.Page) error {
			t, err := newTopology(useNamespaces)
			if err != nil {
				return err
			}
			defer t.Close()
			fixed, err := peer.HeaderFor(2, &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 51000}, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 443})
			if err != nil {
				return err
			}
			v1, _ := fixed.AppendV1(nil)
			v2, _ := fixed.AppendV2(nil)
			p.Text("The same client, 203.0.113.7:51000 connecting to 192.0.2.1:443, as a v1 line and as a v2 header:")
			p.Output("v1 (text)", fmt.Sprintf("%q", v1))
			p.Output("v2 (binary)", hexdump(v2))
			trusted, err := peer.PolicyByCIDR([]peer.Rule{{Prefix: netipPrefix(t.back), Policy: peer.Use}}, peer.Reject)
			if err != nil {
				return err
			}
			p.Textf("Now the proxy sends a header before the client's bytes, and the server wraps its connection in peer.Conn, trusting only the proxy's address %s (policy use; reject for everyone else).", t.back)
			for _, v := range []int{1, 2} {
				client, relayOut, s, err := chain(ctx, t, v, peer.Config{Policy: trusted})
				if err != nil {
					return err
				}
				p.Output(fmt.Sprintf("relay sends PROXY v%d", v), fmt.Sprintf(
					"client connected from       %v\nproxy connected upstream    %s\nserver: getpeername(fd)     %v\nserver: header              %s\nserver: peer.Conn RemoteAddr %v",
					client, relayOut, s.peername, s.header, s.wrapped))
				if v == 2 {
					printSteps(p, s.result)
				}
			}
			return nil
		},
	}
}
