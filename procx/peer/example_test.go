package peer_test

import (
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"net/netip"

	"github.com/deferio/deferio/procx/peer"
)

// Parse a v1 line; the bytes after it are the application's.
func ExampleParseHeader() {
	in := []byte("PROXY TCP4 203.0.113.7 192.0.2.1 51000 443\r\nGET / HTTP/1.1\r\n")
	var h peer.Header
	n, err := peer.ParseHeader(in, &h)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.SourceAddr(), "->", h.DestinationAddr())
	fmt.Printf("%q\n", in[n:])

	_, err = peer.ParseHeader([]byte("PROXY TCP4 203.0.113.7 192.0.2.1 051000 443\r\n"), &h)
	fmt.Println(err)
	// Output:
	// 203.0.113.7:51000 -> 192.0.2.1:443
	// "GET / HTTP/1.1\r\n"
	// invalid PROXY header: source port: "051000" is not a port: leading zero or more than 5 digits
}

// Write the same client as a v1 line and a v2 header with a CRC32C.
func ExampleHeader_AppendV2() {
	h := peer.Header{
		Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream,
		Source:      netip.MustParseAddrPort("203.0.113.7:51000"),
		Destination: netip.MustParseAddrPort("192.0.2.1:443"),
	}
	v1, _ := h.AppendV1(nil)
	fmt.Printf("%q\n", v1)
	h.TLVs = []peer.TLV{{Type: peer.TypeCRC32C, Value: make([]byte, 4)}}
	v2, _ := h.AppendV2(nil)
	fmt.Printf("% x\n", v2)
	// Output:
	// "PROXY TCP4 203.0.113.7 192.0.2.1 51000 443\r\n"
	// 0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 21 11 00 13 cb 00 71 07 c0 00 02 01 c7 38 01 bb 03 00 04 63 5d a4 2f
}

// Only a trusted proxy's X-Forwarded-For is read, and from the right.
func ExampleResolve() {
	trust := peer.HTTPTrust{Proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 198.51.100.9, 10.0.0.2")

	r.RemoteAddr = "203.0.113.1:4000" // not a proxy of ours: its header is a lie
	a := peer.Resolve(nil, r, trust).Client
	fmt.Println(a.Addr, a.Source)

	r.RemoteAddr = "10.0.0.1:4000" // our proxy
	a = peer.Resolve(nil, r, trust).Client
	fmt.Println(a.Addr, a.Source, "-", a.Note)
	// Output:
	// 203.0.113.1:4000 RemoteAddr
	// 198.51.100.9:0 X-Forwarded-For - rightmost untrusted entry (2 of 3)
}

// A listener that reads PROXY headers from the proxy at 127.0.0.1.
func ExampleNewListener() {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	policy, _ := peer.PolicyByCIDR([]peer.Rule{{Prefix: netip.MustParsePrefix("127.0.0.1/32"), Policy: peer.Require}}, peer.Reject)
	l, _ := peer.NewListener(inner, peer.Config{Policy: policy})
	defer l.Close()

	go func() {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			return
		}
		defer c.Close()
		io.WriteString(c, "PROXY TCP4 198.51.100.9 192.0.2.1 40000 443\r\nhello")
	}()
	c, err := l.Accept()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	data, _ := io.ReadAll(c)
	fmt.Println(c.RemoteAddr(), string(data))
	// Output:
	// 198.51.100.9:40000 hello
}
