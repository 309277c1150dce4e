package peer

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// A forwardedElement is one element of an RFC 7239 Forwarded header: the
// parameters one proxy added. Values are unquoted; absent ones are empty.
type forwardedElement struct {
	For, By, Host, Proto string
}

// parseForwarded parses the values of the Forwarded header fields of a
// request (several fields are one comma-separated list, in order) into
// elements, leftmost first.
//
// It follows RFC 7239 section 4: elements are separated by commas, pairs
// by semicolons, a value is a token or a quoted string (with backslash
// escapes), parameter names are case-insensitive and may not repeat within
// an element. Unknown parameters are allowed and dropped. Anything else is
// an error that names the offending text.
func parseForwarded(values []string) ([]forwardedElement, error) {
	var out []forwardedElement
	for _, v := range values {
		s := v
		for {
			var e forwardedElement
			var seen [4]bool
			for {
				s = trimOWS(s)
				if s == "" || s[0] == ',' || s[0] == ';' {
					if s != "" && s[0] == ';' {
						s = s[1:]
						continue
					}
					break
				}
				name, rest, ok := cutToken(s)
				if !ok || rest == "" || rest[0] != '=' {
					return nil, fmt.Errorf("unable to parse Forwarded %q: expected name=value at %q", v, s)
				}
				var val string
				val, rest, ok = cutValue(rest[1:])
				if !ok {
					return nil, fmt.Errorf("unable to parse Forwarded %q: bad value at %q", v, rest)
				}
				var slot *string
				idx := -1
				switch strings.ToLower(name) {
				case "for":
					slot, idx = &e.For, 0
				case "by":
					slot, idx = &e.By, 1
				case "host":
					slot, idx = &e.Host, 2
				case "proto":
					slot, idx = &e.Proto, 3
				}
				if idx >= 0 {
					if seen[idx] {
						return nil, fmt.Errorf("unable to parse Forwarded %q: parameter %q repeats in one element", v, name)
					}
					seen[idx], *slot = true, val
				}
				s = trimOWS(rest)
				if s != "" && s[0] != ';' && s[0] != ',' {
					return nil, fmt.Errorf("unable to parse Forwarded %q: expected ';' or ',' at %q", v, s)
				}
			}
			out = append(out, e)
			if s == "" {
				break
			}
			s = s[1:] // the comma
		}
	}
	return out, nil
}

func trimOWS(s string) string { return strings.TrimLeft(s, " \t") }

func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func cutToken(s string) (tok, rest string, ok bool) {
	i := 0
	for i < len(s) && isTchar(s[i]) {
		i++
	}
	return s[:i], s[i:], i > 0
}

// cutValue reads a token or a quoted string.
func cutValue(s string) (val, rest string, ok bool) {
	if s == "" || s[0] != '"' {
		return cutToken(s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return b.String(), s[i+1:], true
		case c == '\\':
			if i+1 == len(s) {
				return "", s, false
			}
			i++
			b.WriteByte(s[i])
		case c == '\t' || (c >= 0x20 && c != 0x7f):
			b.WriteByte(c)
		default:
			return "", s, false
		}
	}
	return "", s, false
}

// A node is an RFC 7239 node: an address with an optional port, or
// "unknown", or an obfuscated identifier (starting with '_').
type node struct {
	Addr netip.Addr // valid when the node is an IP address
	Port uint16     // 0 when absent or obfuscated
	Name string     // "unknown" or the obfuscated identifier, when Addr is not valid
}

// IsValid reports whether n is an IP address.
func (n node) IsValid() bool { return n.Addr.IsValid() }

// parseNode parses a node: "192.0.2.43", "192.0.2.43:47011",
// "[2001:db8::17]", "[2001:db8::17]:4711", "unknown" or "_hidden", with an
// optional obfuscated port ("_port"). An IPv6 address must be in brackets.
func parseNode(s string) (node, error) {
	host, port := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return node{}, fmt.Errorf("unable to parse node %q: no closing bracket", s)
		}
		host, port = s[1:end], s[end+1:]
		if port != "" && port[0] != ':' {
			return node{}, fmt.Errorf("unable to parse node %q: text after the bracket", s)
		}
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return node{}, fmt.Errorf("unable to parse node %q: %q is not an IPv6 address", s, host)
		}
		n := node{Addr: a}
		return n, n.setPort(s, strings.TrimPrefix(port, ":"))
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		host, port = s[:i], s[i+1:]
		if port == "" {
			return node{}, fmt.Errorf("unable to parse node %q: empty port", s)
		}
	}
	switch {
	case host == "unknown":
		n := node{Name: host}
		return n, n.setPort(s, port)
	case strings.HasPrefix(host, "_") && validObf(host):
		n := node{Name: host}
		return n, n.setPort(s, port)
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is4() {
		return node{}, fmt.Errorf("unable to parse node %q: not an IPv4 address, [IPv6], unknown or _obfuscated", s)
	}
	n := node{Addr: a}
	return n, n.setPort(s, port)
}

func validObf(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (n *node) setPort(s, port string) error {
	switch {
	case port == "":
		return nil
	case port[0] == '_':
		if !validObf(port) {
			return fmt.Errorf("unable to parse node %q: bad obfuscated port", s)
		}
		return nil
	}
	if len(port) > 5 {
		return fmt.Errorf("unable to parse node %q: port %q has more than 5 digits", s, port)
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return fmt.Errorf("unable to parse node %q: port %q is not decimal", s, port)
		}
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return fmt.Errorf("unable to parse node %q: port %q: %w", s, port, errors.Unwrap(err))
	}
	n.Port = uint16(p)
	return nil
}

// parseXForwardedFor splits the values of the X-Forwarded-For fields of a
// request into entries, leftmost first, trimming spaces. Entries are not
// validated here: one that is not an address stops the right-to-left walk
// of [Resolve]. An empty entry is an error.
func parseXForwardedFor(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for e := range strings.SplitSeq(v, ",") {
			e = strings.Trim(e, " \t")
			if e == "" {
				return nil, fmt.Errorf("unable to parse X-Forwarded-For %q: empty entry", v)
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// parseHopAddr parses one X-Forwarded-For or X-Real-IP entry: an IP
// address, optionally with a port ("192.0.2.1:1234", "[2001:db8::1]:80"),
// as proxies write them. Zones are refused.
func parseHopAddr(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), nil
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), nil
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() && a.Zone() == "" {
			return a.Unmap(), nil
		}
	}
	return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
}
