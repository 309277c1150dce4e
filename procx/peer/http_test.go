package peer_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/deferio/deferio/procx/peer"
)

func TestParseForwarded(t *testing.T) {
	els, err := peer.ParseForwarded([]string{
		`for=192.0.2.43, for="[2001:db8:cafe::17]:4711";proto=https`,
		`For="_gazonk";BY=203.0.113.43;host="example.com", for=unknown;x=1`,
		`for="quoted\"escape"`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []peer.ForwardedElement{
		{For: "192.0.2.43"},
		{For: "[2001:db8:cafe::17]:4711", Proto: "https"},
		{For: "_gazonk", By: "203.0.113.43", Host: "example.com"},
		{For: "unknown"},
		{For: `quoted"escape`},
	}
	if len(els) != len(want) {
		t.Fatalf("got %d elements %+v, want %d", len(els), els, len(want))
	}
	for i := range want {
		if els[i] != want[i] {
			t.Errorf("element %d = %+v, want %+v", i, els[i], want[i])
		}
	}
	for _, bad := range []string{
		`for=192.0.2.1;for=192.0.2.2`, `for`, `for=`, `for="unterminated`, `for=a b`, `=x`, `for=[::1]`,
	} {
		if els, err := peer.ParseForwarded([]string{bad}); err == nil {
			t.Errorf("ParseForwarded(%q) = %+v, want an error", bad, els)
		}
	}
}

func TestParseNode(t *testing.T) {
	for in, want := range map[string]peer.Node{
		"192.0.2.43":               {Addr: netip.MustParseAddr("192.0.2.43")},
		"192.0.2.43:47011":         {Addr: netip.MustParseAddr("192.0.2.43"), Port: 47011},
		"[2001:db8:cafe::17]":      {Addr: netip.MustParseAddr("2001:db8:cafe::17")},
		"[2001:db8:cafe::17]:4711": {Addr: netip.MustParseAddr("2001:db8:cafe::17"), Port: 4711},
		"unknown":                  {Name: "unknown"},
		"_hidden:_port":            {Name: "_hidden"},
	} {
		got, err := peer.ParseNode(in)
		if err != nil || got != want {
			t.Errorf("ParseNode(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"2001:db8::1", "[192.0.2.1]", "[::1", "[::1]x", "1.2.3.4:", "1.2.3.4:99999", "1.2.3.4:+1", "_", "_a b", "01.2.3.4", "host"} {
		if n, err := peer.ParseNode(bad); err == nil {
			t.Errorf("ParseNode(%q) = %+v, want an error", bad, n)
		}
	}
}

func TestClientFromRequest(t *testing.T) {
	trust := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:1::/48")}
	cases := []struct {
		name   string
		remote string
		header string
		hdr    map[string][]string
		want   string
		source peer.Source
	}{
		{"untrusted peer spoofs XFF", "203.0.113.9:5000", "", map[string][]string{"X-Forwarded-For": {"1.2.3.4"}}, "203.0.113.9:5000", peer.SourceRemoteAddr},
		{"one trusted proxy", "10.0.0.1:5000", "", map[string][]string{"X-Forwarded-For": {"198.51.100.7"}}, "198.51.100.7:0", peer.SourceXForwardedFor},
		{"client-written leftmost entry ignored", "10.0.0.1:5000", "", map[string][]string{"X-Forwarded-For": {"1.2.3.4, 198.51.100.7, 10.0.0.2"}}, "198.51.100.7:0", peer.SourceXForwardedFor},
		{"two header fields", "10.0.0.1:5000", "", map[string][]string{"X-Forwarded-For": {"1.2.3.4", "198.51.100.7:33, 10.0.0.2"}}, "198.51.100.7:0", peer.SourceXForwardedFor},
		{"all trusted: leftmost", "10.0.0.1:5000", "", map[string][]string{"X-Forwarded-For": {"10.0.0.3, 10.0.0.2"}}, "10.0.0.3:0", peer.SourceXForwardedFor},
		{"garbage stops the walk", "10.0.0.1:5000", "", map[string][]string{"X-Forwarded-For": {"1.2.3.4, nonsense, 10.0.0.2"}}, "10.0.0.2:0", peer.SourceXForwardedFor},
		{"no header", "10.0.0.1:5000", "", nil, "10.0.0.1:5000", peer.SourceRemoteAddr},
		{"Forwarded", "[2001:db8:1::1]:80", "Forwarded", map[string][]string{"Forwarded": {`for=1.2.3.4, for="[2001:db8:2::9]:4711";proto=https, for="[2001:db8:1::2]"`}}, "[2001:db8:2::9]:4711", peer.SourceForwarded},
		{"Forwarded unknown", "10.0.0.1:80", "Forwarded", map[string][]string{"Forwarded": {`for=unknown`}}, "10.0.0.1:80", peer.SourceRemoteAddr},
		{"Forwarded chosen, XFF spoofed", "10.0.0.1:80", "Forwarded", map[string][]string{"Forwarded": {`for=192.0.2.60`}, "X-Forwarded-For": {"6.6.6.6"}}, "192.0.2.60:0", peer.SourceForwarded},
		{"XFF chosen, Forwarded spoofed", "10.0.0.1:80", "", map[string][]string{"Forwarded": {`for=6.6.6.6`}, "X-Forwarded-For": {"192.0.2.60"}}, "192.0.2.60:0", peer.SourceXForwardedFor},
		{"X-Real-IP", "10.0.0.1:80", "x-real-ip", map[string][]string{"X-Real-Ip": {"192.0.2.61"}}, "192.0.2.61:0", peer.SourceXRealIP},
		{"two X-Real-IP", "10.0.0.1:80", "X-Real-IP", map[string][]string{"X-Real-Ip": {"192.0.2.61", "6.6.6.6"}}, "10.0.0.1:80", peer.SourceRemoteAddr},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for k, vs := range tc.hdr {
				r.Header[k] = vs
			}
			got, err := peer.ClientFromRequest(r, peer.HTTPTrust{Proxies: trust, Header: tc.header})
			if err != nil {
				t.Fatal(err)
			}
			if got.Addr.String() != tc.want || got.Source != tc.source {
				t.Errorf("%v; want %s from %s", got, tc.want, tc.source)
			}
		})
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "@"
	if _, err := peer.ClientFromRequest(r, peer.HTTPTrust{}); err == nil || !strings.Contains(err.Error(), "RemoteAddr") {
		t.Errorf("unparsable RemoteAddr: %v", err)
	}
	r.RemoteAddr = "10.0.0.1:1"
	if _, err := peer.ClientFromRequest(r, peer.HTTPTrust{Proxies: trust, Header: "X-Client"}); err == nil {
		t.Error("unknown header name accepted")
	}
}

// An untrusted client's spoofed X-Forwarded-For is ignored by a real
// server: the handler sees the socket's peer.
func TestSpoofedXFFOverHTTP(t *testing.T) {
	trust := peer.HTTPTrust{Proxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	var got peer.Result
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = peer.ResolveRequest(r, trust)
	}))
	srv.Config.ConnContext = peer.ConnContext
	srv.Start()
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("X-Forwarded-For", "1.2.3.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.Client.Source != peer.SourceGetpeername || !strings.HasPrefix(got.Client.Addr.String(), "127.0.0.1:") {
		t.Errorf("client = %v; want the loopback peer from getpeername", got.Client)
	}
	if !strings.Contains(got.Client.Note, "not a trusted proxy") {
		t.Errorf("note %q does not say why the header was ignored", got.Client.Note)
	}
}
