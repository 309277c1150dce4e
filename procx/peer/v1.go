package peer

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
)

const (
	v1Prefix = "PROXY "
	// V1MaxLen is the longest version 1 line, CRLF included, as the
	// specification counts it: "PROXY UNKNOWN" followed by two full IPv6
	// addresses and two 5-digit ports is 107 bytes.
	V1MaxLen = 107
)

// parseV1 parses a version 1 (text) PROXY header at the start of b into h
// and returns its length, CRLF included.
//
// The syntax is checked strictly, as HAProxy's specification asks of a
// receiver: "PROXY", one space, "TCP4", "TCP6" or "UNKNOWN", then for TCP4
// and TCP6 exactly four fields separated by single spaces (source address,
// destination address, source port, destination port), and CRLF within
// the first 107 bytes. Addresses must be of the protocol's family, without
// zones, and IPv4 octets and ports without leading zeros. After
// "UNKNOWN" anything up to CRLF is ignored and the header carries no
// addresses.
func parseV1(b []byte, h *Header) (int, error) {
	h.reset()
	if len(b) < len(v1Prefix) {
		if bytes.HasPrefix([]byte(v1Prefix), b) {
			return 0, fmt.Errorf("%w: %d bytes of the v1 prefix %q", ErrTruncated, len(b), v1Prefix)
		}
		return 0, fmt.Errorf("%w: bytes %q do not start with %q", ErrNoHeader, b, v1Prefix)
	}
	if string(b[:len(v1Prefix)]) != v1Prefix {
		return 0, fmt.Errorf("%w: bytes %q do not start with %q", ErrNoHeader, b[:len(v1Prefix)], v1Prefix)
	}
	window := b[:min(len(b), V1MaxLen)]
	end := bytes.IndexByte(window, '\n')
	if end < 0 {
		if len(b) >= V1MaxLen {
			return 0, fmt.Errorf("%w: v1 line has no CRLF within %d bytes", ErrInvalidHeader, V1MaxLen)
		}
		// A bare CR is only legal as the start of CRLF.
		if i := bytes.IndexByte(window, '\r'); i >= 0 && i != len(window)-1 {
			return 0, fmt.Errorf("%w: v1 line has a CR without LF at byte %d", ErrInvalidHeader, i)
		}
		return 0, fmt.Errorf("%w: v1 line has no CRLF yet after %d bytes", ErrTruncated, len(b))
	}
	if b[end-1] != '\r' {
		return 0, fmt.Errorf("%w: v1 line ends with LF without CR", ErrInvalidHeader)
	}
	line := b[len(v1Prefix) : end-1]
	for i, c := range line {
		if c < 0x20 || c > 0x7e {
			return 0, fmt.Errorf("%w: v1 line has byte 0x%02x at %d, not printable ASCII", ErrInvalidHeader, c, len(v1Prefix)+i)
		}
	}
	proto, rest, _ := bytes.Cut(line, []byte(" "))
	h.Version, h.Command = 1, Proxy
	switch string(proto) {
	case "UNKNOWN":
		return end + 1, nil
	case "TCP4":
		h.Family = Inet
	case "TCP6":
		h.Family = Inet6
	default:
		h.reset()
		return 0, fmt.Errorf("%w: v1 protocol %q is not TCP4, TCP6 or UNKNOWN", ErrInvalidHeader, proto)
	}
	h.Transport = Stream
	if err := parseV1Addrs(string(rest), h); err != nil {
		h.reset()
		return 0, err
	}
	return end + 1, nil
}

func parseV1Addrs(s string, h *Header) error {
	var fields [4]string
	for i := range fields {
		var f string
		if i < 3 {
			j := indexByte(s, ' ')
			if j < 0 {
				return fmt.Errorf("%w: v1 %s line has %d fields after the protocol, want 4", ErrInvalidHeader, h.protoName(), i+1)
			}
			f, s = s[:j], s[j+1:]
		} else {
			f = s
			if indexByte(f, ' ') >= 0 {
				return fmt.Errorf("%w: v1 %s line has more than 4 fields after the protocol", ErrInvalidHeader, h.protoName())
			}
		}
		if f == "" {
			return fmt.Errorf("%w: v1 %s line has an empty field %d (two spaces in a row?)", ErrInvalidHeader, h.protoName(), i+1)
		}
		fields[i] = f
	}
	src, err := parseV1Addr(fields[0], h.Family)
	if err != nil {
		return fmt.Errorf("%w: source address: %w", ErrInvalidHeader, err)
	}
	dst, err := parseV1Addr(fields[1], h.Family)
	if err != nil {
		return fmt.Errorf("%w: destination address: %w", ErrInvalidHeader, err)
	}
	sp, err := parseV1Port(fields[2])
	if err != nil {
		return fmt.Errorf("%w: source port: %w", ErrInvalidHeader, err)
	}
	dp, err := parseV1Port(fields[3])
	if err != nil {
		return fmt.Errorf("%w: destination port: %w", ErrInvalidHeader, err)
	}
	h.Source, h.Destination = netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp)
	return nil
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func (h *Header) protoName() string {
	if h.Family == Inet6 {
		return "TCP6"
	}
	return "TCP4"
}

func parseV1Addr(s string, f Family) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, err
	}
	switch {
	case a.Zone() != "":
		return netip.Addr{}, fmt.Errorf("%q has a zone", s)
	case f == Inet && !a.Is4():
		return netip.Addr{}, fmt.Errorf("%q is not an IPv4 address", s)
	case f == Inet6 && !a.Is6():
		return netip.Addr{}, fmt.Errorf("%q is not an IPv6 address", s)
	}
	return a, nil
}

func parseV1Port(s string) (uint16, error) {
	if len(s) > 5 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%q is not a port: leading zero or more than 5 digits", s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a port: not decimal digits", s)
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, fmt.Errorf("%q is not a port: above 65535", s)
	}
	return uint16(n), nil
}

// AppendV1 appends h as a version 1 line to dst. A header without
// addresses (Local command or Unspec family) becomes "PROXY UNKNOWN\r\n".
// Version 1 has no unix sockets, datagrams or TLVs: such headers give an
// error and dst is returned unchanged.
func (h *Header) AppendV1(dst []byte) ([]byte, error) {
	if !h.HasAddresses() {
		return append(dst, "PROXY UNKNOWN\r\n"...), nil
	}
	if h.Transport != Stream {
		return dst, fmt.Errorf("unable to write PROXY v1 header: transport %s (v1 is TCP only)", h.Transport)
	}
	if len(h.TLVs) > 0 {
		return dst, fmt.Errorf("unable to write PROXY v1 header: it has %d TLVs (v1 has none)", len(h.TLVs))
	}
	var proto string
	switch h.Family {
	case Inet:
		proto = "TCP4"
		if !h.Source.Addr().Is4() || !h.Destination.Addr().Is4() {
			return dst, fmt.Errorf("unable to write PROXY v1 TCP4 header: %s -> %s are not both IPv4", h.Source, h.Destination)
		}
	case Inet6:
		proto = "TCP6"
		if !h.Source.Addr().Is6() || !h.Destination.Addr().Is6() || h.Source.Addr().Zone() != "" || h.Destination.Addr().Zone() != "" {
			return dst, fmt.Errorf("unable to write PROXY v1 TCP6 header: %s -> %s are not both IPv6 without zone", h.Source, h.Destination)
		}
	default:
		return dst, fmt.Errorf("unable to write PROXY v1 header: family %s (v1 has TCP4 and TCP6 only)", h.Family)
	}
	dst = append(dst, v1Prefix...)
	dst = append(dst, proto...)
	dst = append(dst, ' ')
	dst = h.Source.Addr().AppendTo(dst)
	dst = append(dst, ' ')
	dst = h.Destination.Addr().AppendTo(dst)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(h.Source.Port()), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(h.Destination.Port()), 10)
	return append(dst, '\r', '\n'), nil
}
