package peer_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/deferio/deferio/procx/peer"
	"go.uber.org/goleak"
)

func TestReadHeaderOneByteAtATime(t *testing.T) {
	h := peer.Header{Version: 2, Command: peer.Proxy, Family: peer.Inet6, Transport: peer.Stream,
		Source: ap("[2001:db8::1]:1"), Destination: ap("[2001:db8::2]:2"),
		TLVs: []peer.TLV{{Type: peer.TypeAuthority, Value: bytes.Repeat([]byte("a"), 600)}}}
	v2, _ := h.AppendV2(nil)
	for name, in := range map[string][]byte{
		"v1": []byte("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\nhello"),
		"v2": append(v2, "hello"...),
	} {
		var got peer.Header
		r := iotest.OneByteReader(bytes.NewReader(in))
		rest, err := peer.ReadHeader(r, &got, peer.DefaultMaxHeaderSize)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tail, _ := io.ReadAll(r)
		if data := string(rest) + string(tail); data != "hello" {
			t.Errorf("%s: data after the header = %q, want hello", name, data)
		}
	}
}

func TestReadHeaderBounds(t *testing.T) {
	var h peer.Header
	big := []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x13\x88") // length 5000
	_, err := peer.ReadHeader(io.MultiReader(bytes.NewReader(big), neverReader{}), &h, peer.DefaultMaxHeaderSize)
	if !errors.Is(err, peer.ErrTooLarge) {
		t.Errorf("v2 length 5000 with bound 4096: %v, want ErrTooLarge before the body arrives", err)
	}
	line := "PROXY TCP4 " + strings.Repeat("1", 200)
	if _, err := peer.ReadHeader(strings.NewReader(line), &h, peer.DefaultMaxHeaderSize); !errors.Is(err, peer.ErrInvalidHeader) {
		t.Errorf("v1 without CRLF in 107 bytes: %v, want ErrInvalidHeader", err)
	}
	rest, err := peer.ReadHeader(strings.NewReader("GET / HTTP/1.0\r\n\r\n"), &h, peer.DefaultMaxHeaderSize)
	if !errors.Is(err, peer.ErrNoHeader) || !strings.HasPrefix("GET / HTTP/1.0\r\n\r\n", string(rest)) || len(rest) == 0 {
		t.Errorf("plain HTTP: rest %q, %v; want the bytes read and ErrNoHeader", rest, err)
	}
	if _, err := peer.ReadHeader(strings.NewReader("x"), &h, 100); err == nil {
		t.Error("a bound below MinMaxHeaderSize was accepted")
	}
	if _, err := peer.NewListener(nil, peer.Config{MaxHeaderSize: 10}); err == nil {
		t.Error("NewListener accepted MaxHeaderSize 10")
	}
}

// neverReader stands for a client that stops sending.
type neverReader struct{}

func (neverReader) Read([]byte) (int, error) { select {} }

// server accepts on a peer.Listener and reports, for each connection, what
// its handler saw.
type seen struct {
	remote net.Addr
	hdr    *peer.Header
	data   string
	err    error
}

func serve(t *testing.T, cfg peer.Config) (addr string, results <-chan seen) {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := peer.NewListener(inner, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ch := make(chan seen, 16)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				pc := c.(*peer.Conn)
				h, err := pc.Header()
				s := seen{remote: c.RemoteAddr(), hdr: h, err: err}
				if err == nil {
					b, err := io.ReadAll(c)
					s.data, s.err = string(b), err
				}
				ch <- s
			}()
		}
	}()
	return inner.Addr().String(), ch
}

func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

func wait(t *testing.T, ch <-chan seen, what string) seen {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(60 * time.Second):
		t.Fatalf("no result for %s", what)
	}
	return seen{}
}

// A client that sends its header one byte per second does not hold up
// the next client: its header is read in its own goroutine, not in Accept.
// The fast client must be served before the slow one's header deadline,
// so that deadline is long (10 s) for a loaded machine under -race.
func TestSlowClientDoesNotBlockAccept(t *testing.T) {
	addr, results := serve(t, peer.Config{ReadHeaderTimeout: 10 * time.Second})
	slow := dial(t, addr)
	stop := make(chan struct{})
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		for _, b := range []byte("PROXY TCP4 192.0.2.9 192.0.2.2 1 2\r\n") {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			if _, err := slow.Write([]byte{b}); err != nil {
				return
			}
		}
	}()
	defer func() { close(stop); <-slowDone }()

	fast := dial(t, addr)
	h := peer.Header{Version: 2, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream,
		Source: ap("203.0.113.5:40000"), Destination: ap("192.0.2.2:443")}
	if _, err := h.WriteTo(fast); err != nil {
		t.Fatal(err)
	}
	fast.Write([]byte("fast"))
	fast.CloseWrite()
	got := wait(t, results, "the fast client")
	if got.err != nil || got.remote.String() != "203.0.113.5:40000" || got.data != "fast" {
		t.Fatalf("the first connection served was %+v; want the fast client, served while the slow one is still sending", got)
	}
	// The slow client is then cut off by the header deadline.
	got = wait(t, results, "the slow client")
	if !errors.Is(got.err, os.ErrDeadlineExceeded) {
		t.Errorf("slow client: %+v, want a deadline error", got)
	}
}

func TestListenerPolicies(t *testing.T) {
	v1 := "PROXY TCP4 198.51.100.7 192.0.2.2 5555 80\r\n"
	loop := netip.MustParsePrefix("127.0.0.0/8")
	cases := []struct {
		policy   peer.Policy
		send     string
		wantErr  error
		wantAddr string // "" means the socket's peer
		wantData string
	}{
		{peer.Require, v1 + "data", nil, "198.51.100.7:5555", "data"},
		{peer.Require, "data", peer.ErrRefused, "", ""},
		{peer.Use, v1 + "data", nil, "198.51.100.7:5555", "data"},
		{peer.Use, "data", nil, "", "data"},
		{peer.Ignore, v1 + "data", nil, "", "data"},
		{peer.Reject, v1 + "data", peer.ErrRefused, "", ""},
		{peer.Reject, "data", nil, "", "data"},
		{peer.Skip, v1 + "data", nil, "", v1 + "data"},
		{peer.Require, "PROXY TCP4 198.51.100.7 192.0.2.2 05555 80\r\n", peer.ErrInvalidHeader, "", ""},
		{peer.Require, "\r\n\r\n\x00\r\nQUIT\n\x21\x11\xff\xff", peer.ErrTooLarge, "", ""},
		{peer.Use, "PROXY UNKNOWN\r\ndata", nil, "", "data"},
	}
	for _, tc := range cases {
		pf, err := peer.PolicyByCIDR([]peer.Rule{{Prefix: loop, Policy: tc.policy}}, peer.Reject)
		if err != nil {
			t.Fatal(err)
		}
		addr, results := serve(t, peer.Config{Policy: pf})
		c := dial(t, addr)
		c.Write([]byte(tc.send))
		c.CloseWrite()
		got := wait(t, results, tc.send)
		if !errors.Is(got.err, tc.wantErr) {
			t.Errorf("%s with %q: err %v, want %v", tc.policy, tc.send, got.err, tc.wantErr)
			continue
		}
		if tc.wantErr != nil {
			// The server closed the connection: the client reads EOF.
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
				t.Errorf("%s with %q: refused connection still open (%d, %v)", tc.policy, tc.send, n, err)
			}
			continue
		}
		want := tc.wantAddr
		if want == "" {
			want = c.LocalAddr().String()
		}
		if got.remote.String() != want || got.data != tc.wantData {
			t.Errorf("%s with %q: RemoteAddr %v data %q; want %s, %q", tc.policy, tc.send, got.remote, got.data, want, tc.wantData)
		}
	}
}

// Under Use, a client that waits for the server to speak first is served
// as having no header once the header deadline passes.
func TestUseServerSpeaksFirst(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	l, _ := peer.NewListener(inner, peer.Config{Policy: func(net.Addr) peer.Policy { return peer.Use }, ReadHeaderTimeout: 200 * time.Millisecond})
	c := dial(t, inner.Addr().String())
	sc, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	h, err := sc.(*peer.Conn).Header()
	if h != nil || err != nil {
		t.Fatalf("Header() = %v, %v; want no header and no error", h, err)
	}
	sc.Write([]byte("220 hello\r\n"))
	line := make([]byte, 11)
	if _, err := io.ReadFull(c, line); err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("QUIT"))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(sc, buf); err != nil || string(buf) != "QUIT" {
		t.Errorf("after the greeting the server read %q, %v", buf, err)
	}
	if err := sc.(*peer.Conn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if rest, err := io.ReadAll(c); err != nil || len(rest) != 0 {
		t.Errorf("after CloseWrite the client read %q, %v; want EOF", rest, err)
	}
}

func TestPolicyByCIDR(t *testing.T) {
	rules, err := peer.ParseRules("10.0.0.0/8=use, 10.1.0.0/16=require, 2001:db8::/32=ignore, 192.0.2.7=skip")
	if err != nil {
		t.Fatal(err)
	}
	pf, err := peer.PolicyByCIDR(rules, peer.Reject)
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]peer.Policy{
		"10.9.9.9:1": peer.Use, "10.1.2.3:1": peer.Require, "[2001:db8::5]:1": peer.Ignore,
		"192.0.2.7:1": peer.Skip, "192.0.2.8:1": peer.Reject, "[::ffff:10.1.0.1]:1": peer.Require,
	} {
		if got := pf(net.TCPAddrFromAddrPort(ap(addr))); got != want {
			t.Errorf("policy for %s = %s, want %s", addr, got, want)
		}
	}
	if got := pf(&net.UnixAddr{Name: "/x", Net: "unix"}); got != peer.Reject {
		t.Errorf("policy for a unix peer = %s, want the default", got)
	}
	for _, bad := range []string{"10.0.0.0/8", "10.0.0.0/33=use", "10.0.0.0/8=trust", "host=use"} {
		if _, err := peer.ParseRules(bad); err == nil {
			t.Errorf("ParseRules(%q) accepted", bad)
		}
	}
	if _, err := peer.PolicyByCIDR([]peer.Rule{{}}, peer.Use); err == nil {
		t.Error("PolicyByCIDR accepted a zero prefix")
	}
}

// A unix socket listener behind a relay: the peer is an unnamed socket;
// a v2 header of the UNIX family names the client's socket path.
func TestListenerOverUnixSocket(t *testing.T) {
	path := t.TempDir() + "/s.sock"
	inner, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := peer.NewListener(inner, peer.Config{Policy: func(net.Addr) peer.Policy { return peer.Require }})
	defer l.Close()
	go func() {
		c, err := net.Dial("unix", path)
		if err != nil {
			return
		}
		defer c.Close()
		h, _ := peer.HeaderFor(2, &net.UnixAddr{Name: "/run/client.sock", Net: "unix"}, &net.UnixAddr{Name: "@front", Net: "unix"})
		h.WriteTo(c)
		c.Write([]byte("data"))
	}()
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "data" {
		t.Fatalf("read %q, %v", b, err)
	}
	if c.RemoteAddr().String() != "/run/client.sock" || c.LocalAddr().String() != "@front" {
		t.Errorf("RemoteAddr %v LocalAddr %v", c.RemoteAddr(), c.LocalAddr())
	}
	res := peer.Resolve(c, nil, peer.HTTPTrust{})
	if res.Client.Source != peer.SourceProxyV2 || res.Steps[0].Source != peer.SourceGetpeername {
		t.Errorf("Resolve: %+v", res)
	}
}

// A relay on loopback forwards with a header, and once its listener is
// closed Serve returns and no goroutine of the relay or of the
// connections is left.
func TestRelayLeavesNothingBehind(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	sl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	policy := func(net.Addr) peer.Policy { return peer.Require }
	l, _ := peer.NewListener(sl, peer.Config{Policy: policy})
	served := make(chan string, 3)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				b, _ := io.ReadAll(c)
				c.Write(b)
				served <- c.RemoteAddr().String() + " " + string(b)
			}()
		}
	}()
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	relay := &peer.Relay{Version: 2, Dial: func() (net.Conn, error) { return net.Dial("tcp", sl.Addr().String()) }}
	done := make(chan error, 1)
	go func() { done <- relay.Serve(pl) }()
	for i := range 3 {
		c, err := net.Dial("tcp", pl.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "msg%d", i)
		c.(*net.TCPConn).CloseWrite()
		echo, err := io.ReadAll(c)
		c.Close()
		if want := fmt.Sprintf("msg%d", i); err != nil || string(echo) != want {
			t.Errorf("echo %q, %v; want %s", echo, err, want)
		}
		if got, want := <-served, c.LocalAddr().String()+fmt.Sprintf(" msg%d", i); got != want {
			t.Errorf("server saw %q, want %q", got, want)
		}
	}
	pl.Close()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	l.Close()
	goleak.VerifyNone(t, opt)
	if err := (&peer.Relay{Version: 3}).Serve(pl); err == nil {
		t.Error("Relay with version 3 served")
	}
}
