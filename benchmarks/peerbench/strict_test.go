package peerbench

import (
	"bufio"
	"bytes"
	"net/netip"
	"testing"

	"github.com/deferio/deferio/procx/peer"
	proxyproto "github.com/pires/go-proxyproto"
)

// TestStrictness feeds both parsers malformed headers. deferio must
// refuse every one; what go-proxyproto v0.15.0 does is logged, and for
// the CRC32C case asserted: it does not verify the checksum.
func TestStrictness(t *testing.T) {
	h := peer.Header{Version: 2, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream,
		Source: netip.MustParseAddrPort("192.0.2.1:1"), Destination: netip.MustParseAddrPort("192.0.2.2:2"),
		TLVs: []peer.TLV{{Type: peer.TypeCRC32C, Value: make([]byte, 4)}}}
	badCRC, err := h.AppendV2(nil)
	if err != nil {
		t.Fatal(err)
	}
	badCRC[len(badCRC)-1] ^= 0xff
	longID, _ := (&peer.Header{Version: 2, Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream,
		Source: h.Source, Destination: h.Destination,
		TLVs: []peer.TLV{{Type: peer.TypeUniqueID, Value: make([]byte, 129)}}}).AppendV2(nil)
	cases := []struct {
		name string
		in   []byte
	}{
		{"v2 CRC32C mismatch", badCRC},
		{"v2 UNIQUE_ID of 129 bytes", longID},
		{"v1 port with a leading zero", []byte("PROXY TCP4 192.0.2.1 192.0.2.2 01 2\r\n")},
		{"v1 IPv4 octet with a leading zero", []byte("PROXY TCP4 192.0.2.01 192.0.2.2 1 2\r\n")},
		{"v1 two spaces", []byte("PROXY TCP4 192.0.2.1  192.0.2.2 1 2\r\n")},
		{"v1 LF without CR", []byte("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n")},
		{"v1 IPv6 with a zone", []byte("PROXY TCP6 fe80::1%eth0 fe80::2 1 2\r\n")},
	}
	for _, tc := range cases {
		var ours peer.Header
		if _, err := peer.ParseHeader(tc.in, &ours); err == nil {
			t.Errorf("%s: deferio accepted it: %v", tc.name, &ours)
		}
		theirs, terr := proxyproto.Read(bufio.NewReader(bytes.NewReader(append(tc.in, 'x'))))
		verdict := "refuses"
		if terr == nil {
			verdict = "accepts: " + theirs.SourceAddr.String()
		}
		t.Logf("%-34s deferio refuses; go-proxyproto %s", tc.name, verdict)
		if tc.name == "v2 CRC32C mismatch" && terr != nil {
			t.Errorf("go-proxyproto v0.15.0 refused a bad CRC32C (%v): the notes say it never checks", terr)
		}
	}
}
