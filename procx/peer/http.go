package peer

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// HTTPTrust says which proxies may speak for a client in HTTP headers, and
// in which header.
type HTTPTrust struct {
	// Proxies are the addresses of proxies you run. A header is read
	// only when the request's peer is inside one of them, and read from
	// the right, skipping entries inside them.
	Proxies []netip.Prefix
	// Header is the header your proxies write: "X-Forwarded-For" (the
	// default when empty), "Forwarded" or "X-Real-IP". Only that one is
	// read: a header your proxy merely passes along was written by the
	// client.
	Header string
}

// Trusted reports whether a is inside one of the trusted proxy prefixes.
func (t HTTPTrust) Trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t.Proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (t HTTPTrust) header() (string, error) {
	switch h := http.CanonicalHeaderKey(t.Header); h {
	case "":
		return "X-Forwarded-For", nil
	case "X-Forwarded-For", "Forwarded", "X-Real-Ip":
		return h, nil
	}
	return "", fmt.Errorf("unable to read client from HTTP: header %q is not X-Forwarded-For, Forwarded or X-Real-IP", t.Header)
}

// clientFromRequest returns the client of an HTTP request: r.RemoteAddr,
// unless that peer is a trusted proxy, in which case the configured header
// is read right to left and the answer is the rightmost entry that is not
// a trusted proxy (or the leftmost entry when every one is). The leftmost
// entry is never taken on its own: anyone can write it.
//
// The walk stops at an entry that is not an address ("unknown", an
// obfuscated node, garbage): the answer is then the last address reached,
// and Answer.Note says why. A header that cannot be parsed at all is
// ignored the same way. The error is only for a RemoteAddr that is not an
// IP address and port, or an unknown header name.
func clientFromRequest(r *http.Request, trust HTTPTrust) (Answer, error) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return Answer{}, fmt.Errorf("unable to read client from HTTP: RemoteAddr %q: %w", r.RemoteAddr, err)
	}
	start := Answer{Addr: net.TCPAddrFromAddrPort(ap), Source: SourceRemoteAddr}
	ans, _, err := clientFromHeaders(start, r.Header, trust)
	return ans, err
}

// clientFromHeaders walks the trusted header from start, the request's
// peer, and records each hop.
func clientFromHeaders(start Answer, hdr http.Header, trust HTTPTrust) (Answer, []Step, error) {
	name, err := trust.header()
	if err != nil {
		return start, nil, err
	}
	src := Source(name)
	if name == "X-Real-Ip" {
		src = SourceXRealIP
	}
	peerIP, ok := addrOf(start.Addr)
	if !ok || !trust.Trusted(peerIP) {
		start.Note = fmt.Sprintf("peer %v is not a trusted proxy: %s ignored", start.Addr, src)
		return start, []Step{{What: "client", Source: src, Err: fmt.Errorf("%s", start.Note)}}, nil
	}
	entries, err := hopEntries(name, hdr)
	if err != nil {
		start.Note = err.Error()
		return start, []Step{{What: "client", Source: src, Err: err}}, nil
	}
	if len(entries) == 0 {
		start.Note = fmt.Sprintf("trusted peer sent no %s", src)
		return start, []Step{{What: "client", Source: src, Err: fmt.Errorf("no %s header", src)}}, nil
	}
	ans := start
	var steps []Step
	for i := len(entries) - 1; i >= 0; i-- {
		a, port, err := parseEntry(name, entries[i])
		if err != nil {
			ans.Note = fmt.Sprintf("%s entry %d of %d: %v; stopped at the last address", src, i+1, len(entries), err)
			steps = append(steps, Step{What: "client", Source: src, Err: err})
			return ans, steps, nil
		}
		ans = Answer{Addr: &net.TCPAddr{IP: a.AsSlice(), Port: int(port)}, Source: src}
		if !trust.Trusted(a) {
			ans.Note = fmt.Sprintf("rightmost untrusted entry (%d of %d)", i+1, len(entries))
			steps = append(steps, Step{What: "client", Source: src, Addr: ans.Addr, Used: true})
			return ans, steps, nil
		}
		steps = append(steps, Step{What: "client", Source: src, Addr: ans.Addr, Note: "trusted proxy, keep walking left"})
	}
	ans.Note = "every entry is a trusted proxy: the leftmost one"
	steps[len(steps)-1].Used = true
	return ans, steps, nil
}

func hopEntries(name string, hdr http.Header) ([]string, error) {
	values := hdr.Values(name)
	switch name {
	case "Forwarded":
		els, err := parseForwarded(values)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(els))
		for i, e := range els {
			out[i] = e.For
		}
		return out, nil
	case "X-Real-Ip":
		if len(values) > 1 {
			return nil, fmt.Errorf("%d X-Real-IP fields, want one", len(values))
		}
		if len(values) == 1 {
			return []string{strings.TrimSpace(values[0])}, nil
		}
		return nil, nil
	}
	return parseXForwardedFor(values)
}

func parseEntry(name, e string) (netip.Addr, uint16, error) {
	if name == "Forwarded" {
		if e == "" {
			return netip.Addr{}, 0, fmt.Errorf("element has no for= parameter")
		}
		n, err := parseNode(e)
		if err != nil {
			return netip.Addr{}, 0, err
		}
		if !n.IsValid() {
			return netip.Addr{}, 0, fmt.Errorf("node %q is not an address", n.Name)
		}
		return n.Addr.Unmap(), n.Port, nil
	}
	a, err := parseHopAddr(e)
	return a, 0, err
}
