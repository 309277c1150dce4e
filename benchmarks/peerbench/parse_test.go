package peerbench

import (
	"bufio"
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/deferio/deferio/procx/peer"
	proxyproto "github.com/pires/go-proxyproto"
)

// inputs are the headers both parsers read, each followed by application
// data, as on a real connection.
func inputs(tb testing.TB) []struct {
	name string
	b    []byte
} {
	ap := netip.MustParseAddrPort
	v2 := func(h peer.Header) []byte {
		h.Version = 2
		b, err := h.AppendV2(nil)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	ssl, _ := peer.SSL{Client: peer.ClientSSL, TLVs: []peer.TLV{
		{Type: peer.SubtypeSSLVersion, Value: []byte("TLSv1.3")},
		{Type: peer.SubtypeSSLCipher, Value: []byte("TLS_AES_128_GCM_SHA256")},
	}}.TLV()
	data := []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	ins := []struct {
		name string
		b    []byte
	}{
		{"v1-tcp4", []byte("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n")},
		{"v1-tcp6", []byte("PROXY TCP6 2001:db8::1 2001:db8:ffff::2 56324 443\r\n")},
		{"v2-ipv4", v2(peer.Header{Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("192.0.2.1:56324"), Destination: ap("198.51.100.2:443")})},
		{"v2-ipv6", v2(peer.Header{Command: peer.Proxy, Family: peer.Inet6, Transport: peer.Stream, Source: ap("[2001:db8::1]:56324"), Destination: ap("[2001:db8:ffff::2]:443")})},
		{"v2-ipv4-tlvs", v2(peer.Header{Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("192.0.2.1:56324"), Destination: ap("198.51.100.2:443"),
			TLVs: []peer.TLV{{Type: peer.TypeALPN, Value: []byte("h2")}, {Type: peer.TypeAuthority, Value: []byte("example.com")}, ssl, {Type: peer.TypeCRC32C, Value: make([]byte, 4)}}})},
	}
	for i := range ins {
		ins[i].b = append(ins[i].b, data...)
	}
	return ins
}

// BenchmarkParse parses each header with both libraries. impl=deferio
// parses the bytes into a reused peer.Header; impl=deferio-reader reads
// them from an io.Reader with peer.ReadHeader, as a connection does;
// impl=go-proxyproto reads them with proxyproto.Read from a reused
// bufio.Reader (go-proxyproto only parses from a bufio.Reader). With TLVs,
// deferio also verifies the CRC32C; go-proxyproto does not.
func BenchmarkParse(b *testing.B) {
	for _, in := range inputs(b) {
		b.Run("header="+in.name+"/impl=deferio", func(b *testing.B) {
			b.ReportAllocs()
			var h peer.Header
			for b.Loop() {
				if _, err := peer.ParseHeader(in.b, &h); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("header="+in.name+"/impl=deferio-reader", func(b *testing.B) {
			b.ReportAllocs()
			var h peer.Header
			r := bytes.NewReader(in.b)
			for b.Loop() {
				r.Reset(in.b)
				if _, err := peer.ReadHeader(r, &h, peer.DefaultMaxHeaderSize); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("header="+in.name+"/impl=go-proxyproto", func(b *testing.B) {
			b.ReportAllocs()
			r := bytes.NewReader(in.b)
			br := bufio.NewReader(r)
			for b.Loop() {
				r.Reset(in.b)
				br.Reset(r)
				if _, err := proxyproto.Read(br); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The v2 IPv4 path allocates nothing once the Header is warm.
func TestV2IPv4ZeroAllocs(t *testing.T) {
	var h peer.Header
	in := inputs(t)[2]
	if a := testing.AllocsPerRun(1000, func() { peer.ParseHeader(in.b, &h) }); a != 0 {
		t.Errorf("%s: %v allocations per parse, want 0", in.name, a)
	}
}

// Both libraries read what the other writes and agree on the addresses.
func TestInterop(t *testing.T) {
	for _, in := range inputs(t) {
		var ours peer.Header
		if _, err := peer.ParseHeader(in.b, &ours); err != nil {
			t.Fatalf("%s: deferio: %v", in.name, err)
		}
		theirs, err := proxyproto.Read(bufio.NewReader(bytes.NewReader(in.b)))
		if err != nil {
			t.Fatalf("%s: go-proxyproto: %v", in.name, err)
		}
		if theirs.SourceAddr.String() != ours.SourceAddr().String() || theirs.DestinationAddr.String() != ours.DestinationAddr().String() {
			t.Errorf("%s: go-proxyproto %v -> %v, deferio %v", in.name, theirs.SourceAddr, theirs.DestinationAddr, &ours)
		}
		// go-proxyproto writes, deferio reads.
		b, err := theirs.Format()
		if err != nil {
			t.Fatalf("%s: go-proxyproto Format: %v", in.name, err)
		}
		var back peer.Header
		if n, err := peer.ParseHeader(b, &back); err != nil || n != len(b) {
			t.Fatalf("%s: deferio cannot read go-proxyproto's %q: %v", in.name, b, err)
		}
		if back.Source != ours.Source || back.Destination != ours.Destination || len(back.TLVs) != len(ours.TLVs) {
			t.Errorf("%s: after go-proxyproto's Format: %v, want %v", in.name, &back, &ours)
		}
	}
	// A header from go-proxyproto's own constructor.
	h := proxyproto.HeaderProxyFromAddrs(2, &net.TCPAddr{IP: net.IPv4(203, 0, 113, 9), Port: 4000}, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 443})
	b, _ := h.Format()
	var ours peer.Header
	if _, err := peer.ParseHeader(b, &ours); err != nil || ours.Source.String() != "203.0.113.9:4000" {
		t.Errorf("go-proxyproto v2 header: %v, %v", &ours, err)
	}
}
