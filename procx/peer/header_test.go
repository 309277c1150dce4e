package peer_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/deferio/deferio/procx/peer"
)

var ap = netip.MustParseAddrPort

func TestParseV1(t *testing.T) {
	ok := []struct {
		in   string
		want peer.Header
	}{
		{"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n", peer.Header{Version: 1, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream,
			Source: ap("192.0.2.1:56324"), Destination: ap("198.51.100.2:443")}},
		{"PROXY TCP6 2001:db8::1 2001:db8::2 0 65535\r\n", peer.Header{Version: 1, Command: peer.Proxy, Family: peer.Inet6, Transport: peer.Stream,
			Source: ap("[2001:db8::1]:0"), Destination: ap("[2001:db8::2]:65535")}},
		{"PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n", peer.Header{Version: 1, Command: peer.Proxy, Family: peer.Inet6, Transport: peer.Stream,
			Source: ap("[::ffff:192.0.2.1]:1"), Destination: ap("[::1]:2")}},
		{"PROXY UNKNOWN\r\n", peer.Header{Version: 1, Command: peer.Proxy}},
		{"PROXY UNKNOWN ffff::1 whatever 1 2\r\n", peer.Header{Version: 1, Command: peer.Proxy}},
	}
	for _, tc := range ok {
		var h peer.Header
		in := tc.in + "GET / HTTP/1.1\r\n"
		n, err := peer.ParseV1([]byte(in), &h)
		if err != nil {
			t.Errorf("ParseV1(%q): %v", tc.in, err)
			continue
		}
		if n != len(tc.in) {
			t.Errorf("ParseV1(%q) = %d bytes, want %d", tc.in, n, len(tc.in))
		}
		if !sameHeader(&h, &tc.want) {
			t.Errorf("ParseV1(%q) = %v, want %v", tc.in, &h, &tc.want)
		}
	}
	bad := []struct {
		in   string
		want error
		msg  string
	}{
		{"PROXY TCP4 192.0.2.1 198.51.100.2 056324 443\r\n", peer.ErrInvalidHeader, "leading zero"},
		{"PROXY TCP4 192.0.2.01 198.51.100.2 1 443\r\n", peer.ErrInvalidHeader, "leading zero"},
		{"PROXY TCP4 192.0.2.1 198.51.100.2 65536 443\r\n", peer.ErrInvalidHeader, "above 65535"},
		{"PROXY TCP4 192.0.2.1  198.51.100.2 1 443\r\n", peer.ErrInvalidHeader, "empty field"},
		{"PROXY TCP4 192.0.2.1 198.51.100.2 1 443 9\r\n", peer.ErrInvalidHeader, "more than 4 fields"},
		{"PROXY TCP4 192.0.2.1 198.51.100.2 1\r\n", peer.ErrInvalidHeader, "want 4"},
		{"PROXY TCP4 2001:db8::1 198.51.100.2 1 2\r\n", peer.ErrInvalidHeader, "not an IPv4"},
		{"PROXY TCP6 192.0.2.1 2001:db8::1 1 2\r\n", peer.ErrInvalidHeader, "not an IPv6"},
		{"PROXY TCP6 fe80::1%eth0 2001:db8::1 1 2\r\n", peer.ErrInvalidHeader, "zone"},
		{"PROXY TCP4 192.0.2.1 198.51.100.2 1 2\n", peer.ErrInvalidHeader, "LF without CR"},
		{"PROXY TCP4 192.0.2.1 198.51.100.2 1 +2\r\n", peer.ErrInvalidHeader, "not decimal"},
		{"PROXY UDP4 192.0.2.1 198.51.100.2 1 2\r\n", peer.ErrInvalidHeader, "not TCP4"},
		{"PROXY TCP4 192.0.2.1\t198.51.100.2 1 2\r\n", peer.ErrInvalidHeader, "printable"},
		{"PROXY TCP4 1.2.3.4\r5.6.7.8 1 2", peer.ErrInvalidHeader, "CR without LF"},
		{"PROXY UNKNOWN " + strings.Repeat("x", 100) + "\r\n", peer.ErrInvalidHeader, "within 107"},
		{"PROXY TCP4 192.0.2.1", peer.ErrTruncated, "no CRLF yet"},
		{"PROX", peer.ErrTruncated, "prefix"},
		{"PROXI", peer.ErrNoHeader, "do not start"},
		{"GET / HTTP/1.1\r\n", peer.ErrNoHeader, "do not start"},
	}
	for _, tc := range bad {
		var h peer.Header
		n, err := peer.ParseV1([]byte(tc.in), &h)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseV1(%q) = %d, %v; want %v mentioning %q", tc.in, n, err, tc.want, tc.msg)
		}
		if h.Version != 0 || h.Source.IsValid() {
			t.Errorf("ParseV1(%q) failed but left %v in the header", tc.in, &h)
		}
	}
}

// The longest legal v1 line is exactly 107 bytes and parses.
func TestParseV1Longest(t *testing.T) {
	line := "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe 65535 65534\r\n"
	if len(line) != peer.V1MaxLen {
		t.Fatalf("test line is %d bytes, want %d", len(line), peer.V1MaxLen)
	}
	var h peer.Header
	if n, err := peer.ParseV1([]byte(line), &h); err != nil || n != len(line) {
		t.Fatalf("ParseV1(longest) = %d, %v", n, err)
	}
}

func TestV1RoundTrip(t *testing.T) {
	for _, h := range []peer.Header{
		{Version: 1, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("10.1.2.3:4"), Destination: ap("10.9.8.7:65535")},
		{Version: 1, Command: peer.Proxy, Family: peer.Inet6, Transport: peer.Stream, Source: ap("[::1]:1"), Destination: ap("[2001:db8::]:80")},
		{Version: 1, Command: peer.Proxy},
	} {
		b, err := h.AppendV1([]byte("x"))
		if err != nil {
			t.Fatalf("AppendV1(%v): %v", &h, err)
		}
		var got peer.Header
		if n, err := peer.ParseV1(b[1:], &got); err != nil || n != len(b)-1 || !sameHeader(&got, &h) {
			t.Errorf("round trip of %v: %q gave %v, %d, %v", &h, b, &got, n, err)
		}
	}
	for _, h := range []peer.Header{
		{Version: 1, Command: peer.Proxy, Family: peer.Unix, Transport: peer.Stream, SourcePath: "/a"},
		{Version: 1, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Datagram, Source: ap("10.1.2.3:4"), Destination: ap("10.9.8.7:5")},
		{Version: 1, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("[::1]:4"), Destination: ap("10.9.8.7:5")},
		{Version: 1, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("10.1.2.3:4"), Destination: ap("10.9.8.7:5"),
			TLVs: []peer.TLV{{Type: peer.TypeNoop}}},
	} {
		b, err := h.AppendV1([]byte("keep"))
		if err == nil || string(b) != "keep" {
			t.Errorf("AppendV1(%v) = %q, %v; want an error and dst unchanged", &h, b, err)
		}
	}
}

// A v2 header as HAProxy writes it with an SSL TLV (the bytes are from
// go-proxyproto's tlvparse tests, which captured them from HAProxy).
const haproxySSL = "0d0a0d0a000d0a515549540a211100407f0000017f000001cc8a232e2000310700000000" +
	"210007544c5376312e332200" + "1f4578616d706c6520436f6d6d6f6e204e616d6520436c69656e742043657274"

func TestParseV2HAProxySSL(t *testing.T) {
	b, _ := hex.DecodeString(haproxySSL)
	var h peer.Header
	n, err := peer.ParseV2(b, &h)
	if err != nil || n != len(b) {
		t.Fatalf("ParseV2 = %d, %v; want %d, nil", n, err, len(b))
	}
	if h.Source != ap("127.0.0.1:52362") || h.Destination != ap("127.0.0.1:9006") || h.Transport != peer.Stream {
		t.Errorf("addresses: %v", &h)
	}
	ssl, ok, err := h.SSL()
	if !ok || err != nil {
		t.Fatalf("SSL() = %v, %v", ok, err)
	}
	if ssl.Client != peer.ClientSSL|peer.ClientCertConn|peer.ClientCertSess || !ssl.Verified() {
		t.Errorf("SSL client bits 0x%x verify %d", ssl.Client, ssl.Verify)
	}
	if v, _ := ssl.Get(peer.SubtypeSSLVersion); v != "TLSv1.3" {
		t.Errorf("SSL version %q", v)
	}
	if cn, _ := ssl.Get(peer.SubtypeSSLCN); cn != "Example Common Name Client Cert" {
		t.Errorf("SSL CN %q", cn)
	}
}

func TestV2RoundTripEveryFamily(t *testing.T) {
	ssl, err := peer.SSL{Client: peer.ClientSSL, Verify: 1, TLVs: []peer.TLV{
		{Type: peer.SubtypeSSLVersion, Value: []byte("TLSv1.3")},
		{Type: peer.SubtypeSSLCipher, Value: []byte("TLS_AES_128_GCM_SHA256")},
		{Type: peer.SubtypeSSLClientCert, Value: bytes.Repeat([]byte{0x30}, 300)},
	}}.TLV()
	if err != nil {
		t.Fatal(err)
	}
	tlvs := []peer.TLV{
		{Type: peer.TypeALPN, Value: []byte("h2")},
		{Type: peer.TypeAuthority, Value: []byte("example.com")},
		{Type: peer.TypeUniqueID, Value: bytes.Repeat([]byte{7}, 128)},
		ssl,
		{Type: peer.TypeNetNS, Value: []byte("blue")},
		{Type: 0xe3, Value: []byte{1, 2, 3}},
		{Type: peer.TypeNoop, Value: make([]byte, 5)},
		{Type: peer.TypeCRC32C, Value: make([]byte, 4)},
	}
	headers := []peer.Header{
		{Command: peer.Local},
		{Command: peer.Proxy},
		{Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("192.0.2.1:1"), Destination: ap("192.0.2.2:2")},
		{Command: peer.Proxy, Family: peer.Inet, Transport: peer.Datagram, Source: ap("192.0.2.1:53"), Destination: ap("192.0.2.2:53")},
		{Command: peer.Proxy, Family: peer.Inet6, Transport: peer.Stream, Source: ap("[2001:db8::1]:1"), Destination: ap("[2001:db8::2]:2")},
		{Command: peer.Proxy, Family: peer.Inet6, Transport: peer.Datagram, Source: ap("[2001:db8::1]:1"), Destination: ap("[2001:db8::2]:2")},
		{Command: peer.Proxy, Family: peer.Unix, Transport: peer.Stream, SourcePath: "/run/a.sock", DestinationPath: "@abstract"},
		{Command: peer.Proxy, Family: peer.Unix, Transport: peer.Datagram, SourcePath: strings.Repeat("p", 108), DestinationPath: "/b"},
		{Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("192.0.2.1:1"), Destination: ap("192.0.2.2:2"), TLVs: tlvs},
		{Command: peer.Proxy, Family: peer.Unix, Transport: peer.Stream, SourcePath: "/a", DestinationPath: "/b", TLVs: tlvs},
	}
	for _, h := range headers {
		h.Version = 2
		b, err := h.AppendV2(nil)
		if err != nil {
			t.Fatalf("AppendV2(%v): %v", &h, err)
		}
		var got peer.Header
		n, err := peer.ParseHeader(append(b, "data"...), &got)
		if err != nil || n != len(b) {
			t.Fatalf("ParseHeader(AppendV2(%v)) = %d, %v", &h, n, err)
		}
		if len(h.TLVs) > 0 {
			// The CRC32C value was filled in by AppendV2.
			crc, _ := got.TLV(peer.TypeCRC32C)
			h.TLVs = append([]peer.TLV(nil), h.TLVs...)
			h.TLVs[len(h.TLVs)-1] = peer.TLV{Type: peer.TypeCRC32C, Value: crc}
		}
		if !sameHeader(&got, &h) {
			t.Errorf("round trip:\n got %v\nwant %v", &got, &h)
		}
	}
}

func TestV2CRC32C(t *testing.T) {
	h := peer.Header{Version: 2, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream,
		Source: ap("192.0.2.1:1"), Destination: ap("192.0.2.2:2"),
		TLVs: []peer.TLV{{Type: peer.TypeCRC32C, Value: make([]byte, 4)}, {Type: peer.TypeAuthority, Value: []byte("a.example")}}}
	b, err := h.AppendV2(nil)
	if err != nil {
		t.Fatal(err)
	}
	var got peer.Header
	if _, err := peer.ParseV2(b, &got); err != nil {
		t.Fatalf("valid CRC refused: %v", err)
	}
	// Every single-bit flip outside the signature is caught, by the CRC
	// or by the structure checks, except in the CRC TLV's type byte (28):
	// that turns it into another TLV, and a header without a CRC32C TLV
	// has nothing to check.
	for i := 12; i < len(b); i++ {
		if i == 28 {
			continue
		}
		for bit := range 8 {
			c := bytes.Clone(b)
			c[i] ^= 1 << bit
			if n, err := peer.ParseV2(c, &got); err == nil && n == len(b) {
				t.Errorf("flipping bit %d of byte %d went unnoticed", bit, i)
			}
		}
	}
	b[20] ^= 1 // the destination address
	_, err = peer.ParseV2(b, &got)
	if !errors.Is(err, peer.ErrChecksum) {
		t.Errorf("corrupted address: %v, want ErrChecksum", err)
	}
}

func TestParseV2Errors(t *testing.T) {
	valid := func() []byte {
		h := peer.Header{Version: 2, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("192.0.2.1:1"), Destination: ap("192.0.2.2:2")}
		b, _ := h.AppendV2(nil)
		return b
	}
	edit := func(f func(b []byte) []byte) []byte { return f(valid()) }
	cases := []struct {
		name string
		in   []byte
		want error
		msg  string
	}{
		{"version 1 nibble", edit(func(b []byte) []byte { b[12] = 0x11; return b }), peer.ErrInvalidHeader, "version nibble"},
		{"command 2", edit(func(b []byte) []byte { b[12] = 0x22; return b }), peer.ErrInvalidHeader, "command"},
		{"family 4", edit(func(b []byte) []byte { b[13] = 0x41; return b }), peer.ErrInvalidHeader, "family"},
		{"transport 3", edit(func(b []byte) []byte { b[13] = 0x13; return b }), peer.ErrInvalidHeader, "transport"},
		{"short address block", edit(func(b []byte) []byte { b[15] = 8; return b[:24] }), peer.ErrInvalidHeader, "shorter than"},
		{"TLV overruns", edit(func(b []byte) []byte { b[15] = 16; return append(b, 0x01, 0x00, 0x09, 'x') }), peer.ErrInvalidHeader, "claims 9"},
		{"stray bytes", edit(func(b []byte) []byte { b[15] = 14; return append(b, 0x01, 0x00) }), peer.ErrInvalidHeader, "stray"},
		{"long unique id", edit(func(b []byte) []byte {
			b[14], b[15] = 0, 12+3+129
			return append(append(b, 0x05, 0, 129), make([]byte, 129)...)
		}), peer.ErrInvalidHeader, "more than 128"},
		{"bad ssl", edit(func(b []byte) []byte { b[15] = 12 + 3 + 4; return append(b, 0x20, 0, 4, 1, 0, 0, 0) }), peer.ErrInvalidHeader, "SSL"},
		{"crc length", edit(func(b []byte) []byte { b[15] = 12 + 3 + 2; return append(b, 0x03, 0, 2, 1, 2) }), peer.ErrInvalidHeader, "not 4"},
		{"truncated", valid()[:20], peer.ErrTruncated, "have 20"},
		{"truncated fixed part", valid()[:9], peer.ErrTruncated, "9 of the 16"},
		{"not a signature", []byte("\r\n\r\nhello, world!!"), peer.ErrNoHeader, "signature"},
	}
	for _, tc := range cases {
		var h peer.Header
		_, err := peer.ParseV2(tc.in, &h)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v; want %v mentioning %q", tc.name, err, tc.want, tc.msg)
		}
	}
}

// A LOCAL header's address block is skipped: the receiver must use the
// real endpoints.
func TestParseV2LocalIgnoresAddresses(t *testing.T) {
	h := peer.Header{Version: 2, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("192.0.2.1:1"), Destination: ap("192.0.2.2:2")}
	b, _ := h.AppendV2(nil)
	b[12] = 0x20 // LOCAL
	var got peer.Header
	if _, err := peer.ParseV2(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.HasAddresses() || got.Source.IsValid() || got.SourceAddr() != nil {
		t.Errorf("LOCAL header gave addresses: %v", &got)
	}
}

func TestAppendV2Errors(t *testing.T) {
	for _, h := range []peer.Header{
		{Command: peer.Proxy, Family: peer.Inet, Source: ap("[::1]:1"), Destination: ap("192.0.2.2:2")},
		{Command: peer.Proxy, Family: peer.Inet6, Source: ap("192.0.2.1:1"), Destination: ap("[::1]:2")},
		{Command: peer.Proxy, Family: peer.Unix, SourcePath: strings.Repeat("x", 109)},
		{Command: 3},
		{Command: peer.Proxy, Family: 9},
		{Command: peer.Proxy, TLVs: []peer.TLV{{Type: 1, Value: make([]byte, 70000)}}},
		{Command: peer.Proxy, TLVs: []peer.TLV{{Type: 1, Value: make([]byte, 40000)}, {Type: 2, Value: make([]byte, 40000)}}},
		{Command: peer.Proxy, TLVs: []peer.TLV{{Type: peer.TypeCRC32C}, {Type: peer.TypeCRC32C}}},
	} {
		b, err := h.AppendV2([]byte("keep"))
		if err == nil || string(b) != "keep" {
			t.Errorf("AppendV2(%v) = %d bytes, %v; want an error and dst unchanged", &h, len(b), err)
		}
	}
}

func TestParseHeaderDispatch(t *testing.T) {
	var h peer.Header
	if _, err := peer.ParseHeader(nil, &h); !errors.Is(err, peer.ErrTruncated) {
		t.Errorf("empty: %v", err)
	}
	if _, err := peer.ParseHeader([]byte("SSH-2.0-OpenSSH\r\n"), &h); !errors.Is(err, peer.ErrNoHeader) {
		t.Errorf("ssh banner: %v", err)
	}
}

// Parsing a v2 IPv4 header into a reused Header allocates nothing; with
// TLVs it reuses the Header's storage.
func TestParseV2Allocs(t *testing.T) {
	plain := peer.Header{Version: 2, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("192.0.2.1:1"), Destination: ap("192.0.2.2:2")}
	withTLV := plain
	withTLV.TLVs = []peer.TLV{{Type: peer.TypeAuthority, Value: []byte("example.com")}, {Type: peer.TypeCRC32C, Value: make([]byte, 4)}}
	for name, h := range map[string]peer.Header{"plain": plain, "tlvs": withTLV} {
		b, err := h.AppendV2(nil)
		if err != nil {
			t.Fatal(err)
		}
		var got peer.Header
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := peer.ParseHeader(b, &got); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: ParseHeader allocated %v times per run, want 0", name, allocs)
		}
	}
}

func sameHeader(a, b *peer.Header) bool {
	if a.Version != b.Version || a.Command != b.Command || a.Family != b.Family || a.Transport != b.Transport ||
		a.Source != b.Source || a.Destination != b.Destination || a.SourcePath != b.SourcePath ||
		a.DestinationPath != b.DestinationPath || len(a.TLVs) != len(b.TLVs) {
		return false
	}
	for i := range a.TLVs {
		if a.TLVs[i].Type != b.TLVs[i].Type || !bytes.Equal(a.TLVs[i].Value, b.TLVs[i].Value) {
			return false
		}
	}
	return true
}

// crc32cBitwise is CRC-32C computed bit by bit from its definition
// (reflected polynomial 0x82F63B78), independent of hash/crc32.
func crc32cBitwise(data []byte) uint32 {
	crc := uint32(0xffffffff)
	for _, b := range data {
		crc ^= uint32(b)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0x82f63b78
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

// The checksum AppendV2 writes is CRC-32C of the header with the field
// zeroed, checked against the bitwise definition (whose standard check
// value for "123456789" is 0xe3069283).
func TestCRC32CIndependent(t *testing.T) {
	if got := crc32cBitwise([]byte("123456789")); got != 0xe3069283 {
		t.Fatalf("reference CRC-32C of 123456789 = %#x", got)
	}
	h := peer.Header{Version: 2, Command: peer.Proxy, Family: peer.Inet6, Transport: peer.Stream,
		Source: ap("[2001:db8::1]:1"), Destination: ap("[2001:db8::2]:2"),
		TLVs: []peer.TLV{{Type: peer.TypeAuthority, Value: []byte("example.com")}, {Type: peer.TypeCRC32C, Value: make([]byte, 4)}}}
	b, err := h.AppendV2(nil)
	if err != nil {
		t.Fatal(err)
	}
	at := len(b) - 4
	zeroed := bytes.Clone(b)
	copy(zeroed[at:], []byte{0, 0, 0, 0})
	want := crc32cBitwise(zeroed)
	if got := uint32(b[at])<<24 | uint32(b[at+1])<<16 | uint32(b[at+2])<<8 | uint32(b[at+3]); got != want {
		t.Errorf("CRC32C field %#08x, bitwise definition gives %#08x", got, want)
	}
}
