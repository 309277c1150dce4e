package peer

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
)

// Errors returned by the PROXY protocol parsers. Parse errors wrap one of
// them, so callers can test with errors.Is.
var (
	// ErrNoHeader means the bytes do not start with a PROXY protocol
	// signature (neither "PROXY " nor the 12-byte v2 signature).
	ErrNoHeader = errors.New("no PROXY protocol header")
	// ErrTruncated means the bytes are the start of a PROXY header that
	// is not complete yet: more bytes are needed.
	ErrTruncated = errors.New("PROXY header is truncated")
	// ErrInvalidHeader means the bytes are a malformed PROXY header.
	ErrInvalidHeader = errors.New("invalid PROXY header")
	// ErrChecksum means a v2 header carries a CRC32C TLV that does not
	// match the header.
	ErrChecksum = errors.New("PROXY v2 header CRC32C mismatch")
	// ErrTooLarge means a header is longer than the configured bound.
	ErrTooLarge = errors.New("PROXY header is too large")
)

// Command is the v2 command: [Local] or [Proxy]. Version 1 headers are
// always [Proxy].
type Command uint8

// The two commands of the PROXY protocol.
const (
	// Local: the connection was made by the proxy itself (a health
	// check); the receiver uses the real connection endpoints.
	Local Command = 0x0
	// Proxy: the connection was relayed for a client whose addresses
	// the header carries.
	Proxy Command = 0x1
)

// String returns "LOCAL" or "PROXY".
func (c Command) String() string {
	switch c {
	case Local:
		return "LOCAL"
	case Proxy:
		return "PROXY"
	}
	return fmt.Sprintf("Command(%d)", uint8(c))
}

// Family is the address family of a header, the high nibble of v2's 14th
// byte.
type Family uint8

// Address families.
const (
	Unspec Family = 0x0 // unknown or unsupported: use the real endpoints
	Inet   Family = 0x1 // IPv4: 12 address bytes in v2, TCP4 in v1
	Inet6  Family = 0x2 // IPv6: 36 address bytes in v2, TCP6 in v1
	Unix   Family = 0x3 // unix socket paths: 216 address bytes, v2 only
)

// String returns the family's name in the specification: "UNSPEC",
// "INET", "INET6" or "UNIX".
func (f Family) String() string {
	switch f {
	case Unspec:
		return "UNSPEC"
	case Inet:
		return "INET"
	case Inet6:
		return "INET6"
	case Unix:
		return "UNIX"
	}
	return fmt.Sprintf("Family(%d)", uint8(f))
}

// addrLen is the size of the v2 address block for f.
func (f Family) addrLen() int {
	switch f {
	case Inet:
		return 12
	case Inet6:
		return 36
	case Unix:
		return 216
	}
	return 0
}

// Transport is the transport protocol of a header, the low nibble of v2's
// 14th byte.
type Transport uint8

// Transports.
const (
	UnspecTransport Transport = 0x0
	Stream          Transport = 0x1 // TCP or SOCK_STREAM unix sockets
	Datagram        Transport = 0x2 // UDP or SOCK_DGRAM unix sockets
)

// String returns "UNSPEC", "STREAM" or "DGRAM".
func (t Transport) String() string {
	switch t {
	case UnspecTransport:
		return "UNSPEC"
	case Stream:
		return "STREAM"
	case Datagram:
		return "DGRAM"
	}
	return fmt.Sprintf("Transport(%d)", uint8(t))
}

// A Header is one PROXY protocol header, version 1 or 2.
//
// A header describes a client only when [Header.HasAddresses] is true:
// a v2 LOCAL command, a v1 "UNKNOWN" line and the UNSPEC family all tell
// the receiver to use the real connection endpoints instead.
//
// A Header can be reused: parsing into it reuses its TLV storage, which is
// what makes parsing allocation-free once warm. TLV values returned by a
// parse are valid until the next parse into the same Header.
type Header struct {
	// Version is 1 (text) or 2 (binary).
	Version int
	// Command is Local or Proxy; always Proxy for version 1.
	Command Command
	// Family and Transport say what kind of addresses follow.
	Family    Family
	Transport Transport
	// Source and Destination are the client's address and the address
	// it connected to, for the Inet and Inet6 families.
	Source, Destination netip.AddrPort
	// SourcePath and DestinationPath are the unix socket paths, for the
	// Unix family. An abstract socket's name starts with '@', as in
	// package net.
	SourcePath, DestinationPath string
	// TLVs are the v2 type-length-value records, in header order.
	TLVs []TLV

	tlvBuf []byte
}

// HasAddresses reports whether the header carries the client's addresses:
// the command is Proxy and the family is not Unspec.
func (h *Header) HasAddresses() bool {
	return h.Command == Proxy && h.Family != Unspec
}

// SourceAddr returns the client's address as a net.Addr (*net.TCPAddr,
// *net.UDPAddr or *net.UnixAddr, following Transport), or nil when the
// header carries no addresses.
func (h *Header) SourceAddr() net.Addr { return h.addr(h.Source, h.SourcePath) }

// DestinationAddr returns the address the client connected to, like
// [Header.SourceAddr].
func (h *Header) DestinationAddr() net.Addr { return h.addr(h.Destination, h.DestinationPath) }

func (h *Header) addr(ap netip.AddrPort, path string) net.Addr {
	if !h.HasAddresses() {
		return nil
	}
	switch h.Family {
	case Unix:
		if h.Transport == Datagram {
			return &net.UnixAddr{Name: path, Net: "unixgram"}
		}
		return &net.UnixAddr{Name: path, Net: "unix"}
	case Inet, Inet6:
		if h.Transport == Datagram {
			return net.UDPAddrFromAddrPort(ap)
		}
		return net.TCPAddrFromAddrPort(ap)
	}
	return nil
}

// TLV returns the value of the first TLV of type t, and whether there was
// one.
func (h *Header) TLV(t TLVType) ([]byte, bool) {
	for _, tlv := range h.TLVs {
		if tlv.Type == t {
			return tlv.Value, true
		}
	}
	return nil, false
}

// String describes the header in one line, for logs and lessons.
func (h *Header) String() string {
	s := fmt.Sprintf("PROXY v%d %s %s/%s", h.Version, h.Command, h.Family, h.Transport)
	switch h.Family {
	case Inet, Inet6:
		s += fmt.Sprintf(" %s -> %s", h.Source, h.Destination)
	case Unix:
		s += fmt.Sprintf(" %q -> %q", h.SourcePath, h.DestinationPath)
	}
	for _, t := range h.TLVs {
		s += fmt.Sprintf(" %s(%d)", t.Type, len(t.Value))
	}
	return s
}

// ParseHeader parses the PROXY header, version 1 or 2, at the start of b
// into h, and returns its length in bytes. It returns an error wrapping
// [ErrNoHeader] when b does not start with a signature, [ErrTruncated]
// when b holds only the start of a header, and [ErrInvalidHeader] or
// [ErrChecksum] when the header is malformed. On error h is left zeroed
// except for its reusable storage.
//
// Both versions are checked strictly, as HAProxy's specification asks of
// a receiver. A v1 line is "PROXY", then "TCP4", "TCP6" or "UNKNOWN" and,
// for TCP4 and TCP6, four fields separated by single spaces, with
// addresses of the protocol's family, no zones, no leading zeros, and CRLF
// within [V1MaxLen] bytes. A v2 header is refused for an undefined
// version, command, family or transport, a length shorter than its
// addresses, malformed TLVs (also inside the SSL TLV), a UNIQUE_ID longer
// than 128 bytes, or a CRC32C TLV that does not match. A LOCAL header's
// addresses are skipped, and TLV values share h's storage (see [Header]).
func ParseHeader(b []byte, h *Header) (int, error) {
	switch {
	case len(b) > 0 && b[0] == v2Signature[0]:
		return parseV2(b, h)
	case len(b) > 0 && b[0] == v1Prefix[0]:
		return parseV1(b, h)
	case len(b) == 0:
		return 0, fmt.Errorf("%w: no bytes yet", ErrTruncated)
	}
	return 0, fmt.Errorf("%w: first byte is 0x%02x, not 'P' (v1) or 0x0d (v2)", ErrNoHeader, b[0])
}

// WriteTo writes h in its version's wire format: [Header.AppendV1] for
// version 1, [Header.AppendV2] for version 2. Nothing is written when h is
// not valid for that version.
func (h *Header) WriteTo(w io.Writer) (int64, error) {
	var b []byte
	var err error
	switch h.Version {
	case 1:
		b, err = h.AppendV1(nil)
	case 2:
		b, err = h.AppendV2(nil)
	default:
		return 0, fmt.Errorf("unable to write PROXY header: version %d is not 1 or 2", h.Version)
	}
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	if err != nil {
		return int64(n), fmt.Errorf("unable to write PROXY header: %w", err)
	}
	return int64(n), nil
}

// reset zeroes h but keeps its reusable storage.
func (h *Header) reset() {
	tlvs, buf := h.TLVs[:0], h.tlvBuf[:0]
	*h = Header{TLVs: tlvs, tlvBuf: buf}
}
