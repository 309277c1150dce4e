package peer

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// A Policy says what a [Conn] does about a PROXY header from one source.
type Policy int

// Policies, as HAProxy and its peers name them.
const (
	// Require: the connection must start with a valid header; without
	// one the connection is refused. For proxies you run.
	Require Policy = iota
	// Use: a header is used when present; without one the connection
	// is served as it is.
	Use
	// Ignore: a header is read and stripped when present but its
	// addresses are not used: RemoteAddr stays the socket's peer.
	Ignore
	// Reject: a connection that starts with a header is refused. For
	// sources that are not proxies: a client must not claim an address.
	Reject
	// Skip: nothing is read; the bytes are the application's, header or
	// not.
	Skip
)

var policyNames = [...]string{"require", "use", "ignore", "reject", "skip"}

// String returns the policy's name.
func (p Policy) String() string {
	if p >= 0 && int(p) < len(policyNames) {
		return policyNames[p]
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// parsePolicy parses a policy name: "require", "use", "ignore", "reject"
// or "skip".
func parsePolicy(s string) (Policy, error) {
	for i, n := range policyNames {
		if s == n {
			return Policy(i), nil
		}
	}
	return 0, fmt.Errorf("unknown PROXY policy %q (want one of %s)", s, strings.Join(policyNames[:], ", "))
}

// A PolicyFunc chooses the policy for a connection from its peer address
// (the kernel's peer, before any header is read).
type PolicyFunc func(peer net.Addr) Policy

// A Rule applies Policy to peers inside Prefix.
type Rule struct {
	Prefix netip.Prefix
	Policy Policy
}

// PolicyByCIDR returns a PolicyFunc that gives each peer the policy of the
// longest prefix that contains its address, and def when none does (or
// the peer is not an IP address, such as a unix socket). IPv4-mapped IPv6
// peers are matched as IPv4.
func PolicyByCIDR(rules []Rule, def Policy) (PolicyFunc, error) {
	rs := make([]Rule, len(rules))
	for i, r := range rules {
		if !r.Prefix.IsValid() {
			return nil, fmt.Errorf("unable to build PROXY policy: rule %d has no valid prefix", i)
		}
		if r.Policy < Require || r.Policy > Skip {
			return nil, fmt.Errorf("unable to build PROXY policy: rule %d (%s) has unknown %s", i, r.Prefix, r.Policy)
		}
		rs[i] = Rule{Prefix: r.Prefix.Masked(), Policy: r.Policy}
	}
	if def < Require || def > Skip {
		return nil, fmt.Errorf("unable to build PROXY policy: default is unknown %s", def)
	}
	return func(peer net.Addr) Policy {
		a, ok := addrOf(peer)
		if !ok {
			return def
		}
		best, bits := def, -1
		for _, r := range rs {
			if r.Prefix.Contains(a) && r.Prefix.Bits() > bits {
				best, bits = r.Policy, r.Prefix.Bits()
			}
		}
		return best
	}, nil
}

// parseRules parses rules written as comma-separated "CIDR=policy" items,
// such as "10.0.0.0/8=require,192.0.2.7=use". A bare address is a /32 or
// /128 prefix.
func parseRules(s string) ([]Rule, error) {
	var rules []Rule
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		cidr, pol, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("PROXY policy rule %q is not CIDR=policy", item)
		}
		p, err := parsePolicy(strings.TrimSpace(pol))
		if err != nil {
			return nil, fmt.Errorf("PROXY policy rule %q: %w", item, err)
		}
		prefix, err := parsePrefix(strings.TrimSpace(cidr))
		if err != nil {
			return nil, fmt.Errorf("PROXY policy rule %q: %w", item, err)
		}
		rules = append(rules, Rule{Prefix: prefix, Policy: p})
	}
	return rules, nil
}

// parsePrefix parses a CIDR prefix, or a bare address as a single-address
// prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("unable to parse prefix: %w", err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("unable to parse address: %w", err)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// addrOf returns the IP address of a TCP or UDP net.Addr, unmapped.
func addrOf(a net.Addr) (netip.Addr, bool) {
	switch a := a.(type) {
	case *net.TCPAddr:
		ip, ok := netip.AddrFromSlice(a.IP)
		return ip.Unmap(), ok
	case *net.UDPAddr:
		ip, ok := netip.AddrFromSlice(a.IP)
		return ip.Unmap(), ok
	}
	return netip.Addr{}, false
}
