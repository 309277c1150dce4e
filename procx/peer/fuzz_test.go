package peer_test

import (
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/deferio/deferio/procx/peer"
)

func seedHeaders(f *testing.F) {
	for _, s := range []string{
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n",
		"PROXY TCP6 2001:db8::1 2001:db8::2 0 65535\r\nGET",
		"PROXY UNKNOWN\r\n",
		"PROXY TCP4 192.0.2.01 1.2.3.4 1 2\r\n",
		"PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n",
	} {
		f.Add([]byte(s))
	}
	b, _ := hex.DecodeString(haproxySSL)
	f.Add(b)
	for _, h := range []peer.Header{
		{Command: peer.Local},
		{Command: peer.Proxy, Family: peer.Inet, Transport: peer.Stream, Source: ap("192.0.2.1:1"), Destination: ap("192.0.2.2:2"),
			TLVs: []peer.TLV{{Type: peer.TypeCRC32C, Value: make([]byte, 4)}, {Type: peer.TypeALPN, Value: []byte("h2")}}},
		{Command: peer.Proxy, Family: peer.Inet6, Transport: peer.Datagram, Source: ap("[2001:db8::1]:1"), Destination: ap("[2001:db8::2]:2")},
		{Command: peer.Proxy, Family: peer.Unix, Transport: peer.Stream, SourcePath: "/a", DestinationPath: "@b"},
	} {
		b, _ := h.AppendV2(nil)
		f.Add(b)
	}
}

// checkSentinel fails unless err wraps exactly one of the parse errors.
func checkSentinel(t *testing.T, err error) {
	n := 0
	for _, s := range []error{peer.ErrNoHeader, peer.ErrTruncated, peer.ErrInvalidHeader, peer.ErrChecksum} {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("error %q wraps %d of the parse errors, want 1", err, n)
	}
}

// roundTrip re-encodes a parsed header and parses it again.
func roundTrip(t *testing.T, h *peer.Header) {
	var b []byte
	var err error
	if h.Version == 1 {
		b, err = h.AppendV1(nil)
	} else {
		b, err = h.AppendV2(nil)
	}
	if err != nil {
		t.Fatalf("parsed header %v does not encode: %v", h, err)
	}
	var again peer.Header
	n, err := peer.ParseHeader(b, &again)
	if err != nil || n != len(b) {
		t.Fatalf("re-encoded header %q: %d, %v", b, n, err)
	}
	want := *h
	if h.Command == peer.Local && h.Version == 2 {
		want.Family = peer.Unspec // AppendV2 writes LOCAL without addresses
	}
	if !sameHeader(&again, &want) {
		t.Fatalf("round trip changed the header:\n was %v\n now %v", h, &again)
	}
}

func FuzzParseV1(f *testing.F) {
	seedHeaders(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var h peer.Header
		n, err := peer.ParseV1(b, &h)
		if err != nil {
			checkSentinel(t, err)
			return
		}
		if n <= 0 || n > len(b) || n > peer.V1MaxLen || string(b[n-2:n]) != "\r\n" {
			t.Fatalf("ParseV1 consumed %d of %d bytes", n, len(b))
		}
		roundTrip(t, &h)
	})
}

func FuzzParseV2(f *testing.F) {
	seedHeaders(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var h peer.Header
		n, err := peer.ParseV2(b, &h)
		if err != nil {
			checkSentinel(t, err)
			return
		}
		if n < 16 || n > len(b) {
			t.Fatalf("ParseV2 consumed %d of %d bytes", n, len(b))
		}
		if h.SourceAddr() != nil && !h.HasAddresses() {
			t.Fatalf("a header without addresses gave source %v", h.SourceAddr())
		}
		if _, ok, err := h.SSL(); ok && err != nil {
			t.Fatalf("SSL TLV passed the parser but not ParseSSL: %v", err)
		}
		roundTrip(t, &h)
	})
}

func FuzzParseHeader(f *testing.F) {
	seedHeaders(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var h peer.Header
		if _, err := peer.ParseHeader(b, &h); err != nil {
			checkSentinel(t, err)
			return
		}
		_ = h.String()
		roundTrip(t, &h)
	})
}

func FuzzParseForwarded(f *testing.F) {
	for _, s := range []string{
		`for=192.0.2.43, for="[2001:db8:cafe::17]:4711";proto=https`,
		`For="_gazonk";BY=203.0.113.43;host="example.com", for=unknown`,
		`for="a\"b";;, ,for=1.2.3.4`,
	} {
		f.Add(s, "10.0.0.1:80")
	}
	trust := peer.HTTPTrust{Proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, Header: "Forwarded"}
	f.Fuzz(func(t *testing.T, fwd, remote string) {
		els, err := peer.ParseForwarded([]string{fwd})
		if err == nil {
			for _, e := range els {
				if n, err := peer.ParseNode(e.For); err == nil && n.IsValid() && !strings.Contains(fwd, n.Addr.String()) && !strings.Contains(strings.ToLower(fwd), n.Addr.String()) {
					// Addresses are printed canonically; the input may
					// not be canonical, so only check it parses back.
					if _, err := netip.ParseAddr(n.Addr.String()); err != nil {
						t.Fatalf("node %v does not print back", n)
					}
				}
			}
		}
		checkClient(t, remote, "Forwarded", fwd, trust)
	})
}

func FuzzXForwardedFor(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "1.2.3.4, 10.0.0.2", "1.2.3.4:80, [2001:db8::1]:443", ",", "nonsense, 10.1.1.1"} {
		f.Add(s, "10.0.0.1:80")
	}
	f.Add("6.6.6.6", "203.0.113.1:80")
	trust := peer.HTTPTrust{Proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	f.Fuzz(func(t *testing.T, xff, remote string) {
		checkClient(t, remote, "X-Forwarded-For", xff, trust)
	})
}

// checkClient checks the trust rules on any input: the answer is the peer
// unless the peer is trusted, and otherwise is the peer or an entry of
// the header.
func checkClient(t *testing.T, remote, name, value string, trust peer.HTTPTrust) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = remote
	r.Header.Set(name, value)
	ans, err := peer.ClientFromRequest(r, trust)
	rap, perr := netip.ParseAddrPort(remote)
	if perr != nil {
		if err == nil {
			t.Fatalf("RemoteAddr %q is not an address but gave %v", remote, ans)
		}
		return
	}
	if err != nil {
		t.Fatalf("ClientFromRequest: %v", err)
	}
	if !trust.Trusted(rap.Addr()) {
		if ans.Source != peer.SourceRemoteAddr {
			t.Fatalf("untrusted peer %s, but the answer came from %s: %v", remote, ans.Source, ans)
		}
		return
	}
	if ans.Source == peer.SourceRemoteAddr {
		return
	}
	ip, _ := netip.ParseAddrPort(ans.Addr.String())
	if !strings.Contains(value, ip.Addr().String()) && !strings.Contains(strings.ToLower(value), strings.TrimPrefix(ip.Addr().String(), "::ffff:")) {
		// A non-canonical spelling in the header prints differently;
		// the address must still be one the header holds.
		found := false
		for e := range strings.SplitSeq(value, ",") {
			e = strings.Trim(e, " \t\"[]")
			if a, err := peer.ParseHopAddr(e); err == nil && a == ip.Addr().Unmap() {
				found = true
			}
			if n, err := peer.ParseNode(strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(e), "for="), "\"")); err == nil && n.Addr.Unmap() == ip.Addr().Unmap() {
				found = true
			}
		}
		if !found && name == "X-Forwarded-For" {
			t.Fatalf("answer %v is neither the peer nor an entry of %q", ans, value)
		}
	}
}
