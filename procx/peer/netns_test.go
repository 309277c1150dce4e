package peer_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"

	"github.com/deferio/deferio/internal/testenv"
	"github.com/deferio/deferio/procx/peer"
	"github.com/deferio/deferio/procx/peer/peertest"
)

func newLab(t *testing.T) *peertest.Lab {
	testenv.Need(t, "root, ip and iptables", peertest.Missing(true))
	lab, err := peertest.NewLab()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := lab.Close(); err != nil {
			t.Error(err)
		}
	})
	return lab
}

func newPair(t *testing.T) *peertest.Pair {
	testenv.Need(t, "root, ip and iptables", peertest.Missing(true))
	p, err := peertest.NewPair()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

// observed is what a server saw of one connection.
type observed struct {
	remote, peername net.Addr // conn.RemoteAddr and getpeername on the socket
	proxied          net.Addr // RemoteAddr through peer.Conn
	res              peer.Result
	err              error
}

// serveOnce accepts one connection, echoes "ok" and reports what it saw.
func serveOnce(l net.Listener, cfg peer.Config) <-chan observed {
	ch := make(chan observed, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			ch <- observed{err: err}
			return
		}
		defer c.Close()
		pc, err := peer.NewConn(c, cfg)
		if err != nil {
			ch <- observed{err: err}
			return
		}
		o := observed{remote: c.RemoteAddr()}
		o.peername, o.err = peer.Getpeername(c.(syscall.Conn))
		o.proxied = pc.RemoteAddr()
		o.res = peer.Resolve(pc, nil, peer.HTTPTrust{})
		if _, err := pc.Header(); err != nil && o.err == nil {
			o.err = err
		}
		c.Write([]byte("ok"))
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, pc) // read the client's bytes: closing with unread data would reset
		ch <- o
	}()
	return ch
}

func roundTripClient(t *testing.T, ns *peertest.Netns, addr string) net.Addr {
	t.Helper()
	c, err := ns.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Speak first, so a server looking for a header under policy Use
	// sees at once that there is none.
	c.Write([]byte("hello"))
	c.(*net.TCPConn).CloseWrite()
	if b, err := io.ReadAll(c); err != nil || string(b) != "ok" {
		t.Fatalf("client read %q, %v", b, err)
	}
	return c.LocalAddr()
}

// client -> TCP proxy -> server, in three namespaces: RemoteAddr and
// getpeername both name the proxy; the PROXY header names the client.
func TestProxyChainInNamespaces(t *testing.T) {
	lab := newLab(t)
	trusted, _ := peer.PolicyByCIDR([]peer.Rule{
		{Prefix: netip.PrefixFrom(peertest.ProxyBackIP, 32), Policy: peer.Use},
		{Prefix: netip.PrefixFrom(peertest.ProxyBackIP6, 128), Policy: peer.Use},
	}, peer.Reject)
	for _, tc := range []struct {
		version           int
		front, back, serv netip.Addr
		client            netip.Addr
	}{
		{0, peertest.ProxyFrontIP, peertest.ProxyBackIP, peertest.ServerIP, peertest.ClientIP},
		{1, peertest.ProxyFrontIP, peertest.ProxyBackIP, peertest.ServerIP, peertest.ClientIP},
		{2, peertest.ProxyFrontIP, peertest.ProxyBackIP, peertest.ServerIP, peertest.ClientIP},
		{1, peertest.ProxyFrontIP6, peertest.ProxyBackIP6, peertest.ServerIP6, peertest.ClientIP6},
		{2, peertest.ProxyFrontIP6, peertest.ProxyBackIP6, peertest.ServerIP6, peertest.ClientIP6},
	} {
		t.Run(fmt.Sprintf("v%d/%s", tc.version, tc.client), func(t *testing.T) {
			sl, err := lab.Server.Listen("tcp", netip.AddrPortFrom(tc.serv, 0).String())
			if err != nil {
				t.Fatal(err)
			}
			defer sl.Close()
			seen := serveOnce(sl, peer.Config{Policy: trusted})
			pl, err := lab.Proxy.Listen("tcp", netip.AddrPortFrom(tc.front, 0).String())
			if err != nil {
				t.Fatal(err)
			}
			relay := &peer.Relay{Version: tc.version, Dial: func() (net.Conn, error) { return lab.Proxy.Dial("tcp", sl.Addr().String()) }}
			done := make(chan error, 1)
			go func() { done <- relay.Serve(pl) }()
			defer func() { pl.Close(); <-done }()

			clientAddr := roundTripClient(t, lab.Client, pl.Addr().String())
			o := <-seen
			if o.err != nil {
				t.Fatal(o.err)
			}
			if ip := o.remote.(*net.TCPAddr).AddrPort().Addr(); ip != tc.back {
				t.Errorf("RemoteAddr = %v, want the proxy %v", o.remote, tc.back)
			}
			if o.peername.String() != o.remote.String() {
				t.Errorf("getpeername = %v, RemoteAddr = %v: they should be the same", o.peername, o.remote)
			}
			want, wantSrc := o.remote.String(), peer.SourceGetpeername
			if tc.version != 0 {
				want = clientAddr.String()
				wantSrc = peer.Source(fmt.Sprintf("PROXY v%d", tc.version))
			}
			if o.proxied.String() != want || o.res.Client.Addr.String() != want || o.res.Client.Source != wantSrc {
				t.Errorf("through peer.Conn: RemoteAddr %v, Resolve %v; want %s from %s", o.proxied, o.res.Client, want, wantSrc)
			}
			if tc.version != 0 && o.res.Destination.Addr.String() != pl.Addr().String() {
				t.Errorf("destination %v, want the proxy's front %v", o.res.Destination, pl.Addr())
			}
		})
	}
}

// iptables REDIRECT and DNAT in the server's namespace: the client stays
// the kernel's peer, LocalAddr is the redirected port, and
// SO_ORIGINAL_DST gives what the client dialed.
func TestRedirectOriginalDst(t *testing.T) {
	p := newPair(t)
	for _, rule := range [][]string{
		{"iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "REDIRECT", "--to-ports", "9000"},
		{"ip6tables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "REDIRECT", "--to-ports", "9000"},
		{"iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-d", "192.0.2.80", "--dport", "8080", "-j", "DNAT", "--to-destination", peertest.PairServerIP.String() + ":9000"},
		{"iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "81", "-j", "REDIRECT", "--to-ports", "9002"},
	} {
		if _, err := p.Server.Run(rule...); err != nil {
			t.Fatal(err)
		}
	}
	l4, err := p.Server.Listen("tcp4", "0.0.0.0:9000")
	if err != nil {
		t.Fatal(err)
	}
	defer l4.Close()
	l6, err := p.Server.Listen("tcp6", "[::]:9000")
	if err != nil {
		t.Fatal(err)
	}
	defer l6.Close()
	// A dual-stack socket: IPv4 clients arrive as IPv4-mapped IPv6, and
	// their original destination is asked with SOL_IP.
	dual, err := p.Server.Listen("tcp", "[::]:9002")
	if err != nil {
		t.Fatal(err)
	}
	defer dual.Close()
	for _, tc := range []struct {
		l      net.Listener
		dial   string
		client netip.Addr
		local  string
		via    peer.Source
	}{
		{l4, "10.200.3.2:80", peertest.PairClientIP, "10.200.3.2:9000", peer.SourceOriginalDst},
		{l6, "[fd00:200:3::2]:80", peertest.PairClientIP6, "[fd00:200:3::2]:9000", peer.SourceOriginalDst},
		{l4, "192.0.2.80:8080", peertest.PairClientIP, "10.200.3.2:9000", peer.SourceOriginalDst},
		{l4, "10.200.3.2:9000", peertest.PairClientIP, "10.200.3.2:9000", peer.SourceGetsockname},
		{dual, "10.200.3.2:81", peertest.PairClientIP, "10.200.3.2:9002", peer.SourceOriginalDst},
	} {
		seen := serveOnce(tc.l, peer.Config{Policy: func(net.Addr) peer.Policy { return peer.Skip }})
		clientAddr := roundTripClient(t, p.Client, tc.dial)
		o := <-seen
		if o.err != nil {
			t.Fatal(o.err)
		}
		if o.remote.String() != clientAddr.String() {
			t.Errorf("dial %s: RemoteAddr %v, want the client %v (NAT keeps the peer)", tc.dial, o.remote, clientAddr)
		}
		if o.res.Destination.Addr.String() != tc.dial || o.res.Destination.Source != tc.via {
			t.Errorf("dial %s: destination %v, want %s from %s", tc.dial, o.res.Destination, tc.dial, tc.via)
		}
		for _, st := range o.res.Steps {
			if st.Source == peer.SourceGetsockname && st.Addr.String() != tc.local {
				t.Errorf("dial %s: getsockname %v, want %s", tc.dial, st.Addr, tc.local)
			}
		}
	}
}

// TPROXY in the server's namespace: a transparent listener accepts a
// connection to an address that exists nowhere; nothing is translated:
// the client is the peer and getsockname is what it dialed.
func TestTPROXY(t *testing.T) {
	p := newPair(t)
	setup := [][]string{
		{"iptables", "-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "-d", "198.51.100.7", "--dport", "80", "-j", "TPROXY", "--on-port", "9001", "--tproxy-mark", "0x1/0x1"},
		{"ip", "rule", "add", "fwmark", "1", "lookup", "100"},
		{"ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100"},
		{"ip6tables", "-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "-d", "2001:db8::7", "--dport", "80", "-j", "TPROXY", "--on-port", "9001", "--tproxy-mark", "0x1/0x1"},
		{"ip", "-6", "rule", "add", "fwmark", "1", "lookup", "100"},
		{"ip", "-6", "route", "add", "local", "::/0", "dev", "lo", "table", "100"},
	}
	for _, cmd := range setup {
		if _, err := p.Server.Run(cmd...); err != nil {
			t.Fatalf("this kernel or iptables lacks TPROXY: %v", err)
		}
	}
	for _, tc := range []struct{ network, listen, dial string }{
		{"tcp4", "0.0.0.0:9001", "198.51.100.7:80"},
		{"tcp6", "[::]:9001", "[2001:db8::7]:80"},
	} {
		var l net.Listener
		err := p.Server.Do(func() error {
			var err error
			l, err = peer.ListenTransparent(t.Context(), tc.network, tc.listen)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		seen := serveOnce(l, peer.Config{Policy: func(net.Addr) peer.Policy { return peer.Skip }})
		clientAddr := roundTripClient(t, p.Client, tc.dial)
		o := <-seen
		l.Close()
		if o.err != nil {
			t.Fatal(o.err)
		}
		if o.remote.String() != clientAddr.String() || o.peername.String() != clientAddr.String() {
			t.Errorf("%s: RemoteAddr %v getpeername %v, want the client %v", tc.network, o.remote, o.peername, clientAddr)
		}
		if o.res.Destination.Addr.String() != tc.dial || o.res.Destination.Source != peer.SourceTPROXY {
			t.Errorf("%s: destination %v, want %s from TPROXY", tc.network, o.res.Destination, tc.dial)
		}
	}
}

// A namespace the tests created is gone after Close.
func TestNetnsCleanup(t *testing.T) {
	testenv.Need(t, "root, ip and iptables", peertest.Missing(true))
	n, err := peertest.NewNetns("cleanup")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/run/netns/" + n.Name); err != nil {
		t.Fatalf("namespace %s not created: %v", n.Name, err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/run/netns/" + n.Name); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("namespace %s still there after Close: %v", n.Name, err)
	}
}
