package peer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/netip"
)

// v2Signature is the 12 bytes every version 2 header starts with.
const v2Signature = "\r\n\r\n\x00\r\nQUIT\n"

const (
	v2HeaderLen = 16 // signature, version/command, family/transport, length
	// V2MaxLen is the longest possible version 2 header: 16 bytes plus
	// a 16-bit length.
	V2MaxLen    = v2HeaderLen + 0xffff
	unixPathLen = 108
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// zeroCRC stands for the CRC32C field while the checksum is computed (a
// package variable: a local array would escape into crc32 and allocate).
var zeroCRC [4]byte

// parseV2 parses a version 2 (binary) PROXY header at the start of b into
// h and returns its length (16 plus the length field).
//
// It rejects a version nibble other than 2, commands other than LOCAL and
// PROXY, families and transports the specification does not define, a
// length shorter than the family's address block, malformed TLVs (also
// inside the SSL TLV), a UNIQUE_ID longer than 128 bytes and, when a
// CRC32C TLV is present, a checksum that does not match (computed with the
// field zeroed, as the specification says; the error wraps [ErrChecksum]).
// A LOCAL header's addresses are skipped: the receiver must use the real
// endpoints. TLV values share h's storage (see [Header]).
func parseV2(b []byte, h *Header) (int, error) {
	h.reset()
	if len(b) < v2HeaderLen {
		n := min(len(b), len(v2Signature))
		if string(b[:n]) != v2Signature[:n] {
			return 0, fmt.Errorf("%w: bytes % x are not the v2 signature", ErrNoHeader, b[:n])
		}
		return 0, fmt.Errorf("%w: %d of the 16 bytes of a v2 header", ErrTruncated, len(b))
	}
	if string(b[:len(v2Signature)]) != v2Signature {
		return 0, fmt.Errorf("%w: bytes % x are not the v2 signature", ErrNoHeader, b[:len(v2Signature)])
	}
	if v := b[12] >> 4; v != 2 {
		return 0, fmt.Errorf("%w: v2 version nibble is %d, not 2", ErrInvalidHeader, v)
	}
	cmd := Command(b[12] & 0x0f)
	if cmd != Local && cmd != Proxy {
		return 0, fmt.Errorf("%w: v2 command 0x%x is neither LOCAL (0) nor PROXY (1)", ErrInvalidHeader, uint8(cmd))
	}
	fam, tr := Family(b[13]>>4), Transport(b[13]&0x0f)
	if fam > Unix {
		return 0, fmt.Errorf("%w: v2 address family 0x%x is not defined", ErrInvalidHeader, uint8(fam))
	}
	if tr > Datagram {
		return 0, fmt.Errorf("%w: v2 transport 0x%x is not defined", ErrInvalidHeader, uint8(tr))
	}
	total := v2HeaderLen + int(binary.BigEndian.Uint16(b[14:16]))
	if len(b) < total {
		return 0, fmt.Errorf("%w: v2 header is %d bytes, have %d", ErrTruncated, total, len(b))
	}
	alen := fam.addrLen()
	if total-v2HeaderLen < alen {
		return 0, fmt.Errorf("%w: v2 length %d is shorter than the %d bytes of a %s address block", ErrInvalidHeader, total-v2HeaderLen, alen, fam)
	}
	h.Version, h.Command, h.Family, h.Transport = 2, cmd, fam, tr
	if cmd == Proxy {
		a := b[v2HeaderLen : v2HeaderLen+alen]
		switch fam {
		case Inet:
			h.Source = netip.AddrPortFrom(netip.AddrFrom4([4]byte(a[0:4])), binary.BigEndian.Uint16(a[8:10]))
			h.Destination = netip.AddrPortFrom(netip.AddrFrom4([4]byte(a[4:8])), binary.BigEndian.Uint16(a[10:12]))
		case Inet6:
			h.Source = netip.AddrPortFrom(netip.AddrFrom16([16]byte(a[0:16])), binary.BigEndian.Uint16(a[32:34]))
			h.Destination = netip.AddrPortFrom(netip.AddrFrom16([16]byte(a[16:32])), binary.BigEndian.Uint16(a[34:36]))
		case Unix:
			h.SourcePath = unixPath(a[:unixPathLen])
			h.DestinationPath = unixPath(a[unixPathLen:])
		}
	}
	if err := h.parseTLVs(b[:total], v2HeaderLen+alen); err != nil {
		h.reset()
		return 0, err
	}
	return total, nil
}

// unixPath turns a NUL-padded sun_path into a name; an abstract socket
// (leading NUL) is written with a leading '@' as package net does.
func unixPath(p []byte) string {
	if len(p) > 0 && p[0] == 0 {
		rest := bytes.TrimRight(p[1:], "\x00")
		if len(rest) == 0 {
			return ""
		}
		return "@" + string(rest)
	}
	if i := bytes.IndexByte(p, 0); i >= 0 {
		p = p[:i]
	}
	return string(p)
}

// parseTLVs walks the TLVs of hdr from off, checks them and the CRC32C,
// and copies them into h's storage.
func (h *Header) parseTLVs(hdr []byte, off int) error {
	crcAt := -1
	for i := off; i < len(hdr); {
		if len(hdr)-i < 3 {
			return fmt.Errorf("%w: %d stray bytes after the last TLV", ErrInvalidHeader, len(hdr)-i)
		}
		t, n := TLVType(hdr[i]), int(binary.BigEndian.Uint16(hdr[i+1:i+3]))
		if n > len(hdr)-i-3 {
			return fmt.Errorf("%w: TLV %s at byte %d claims %d bytes, %d are left", ErrInvalidHeader, t, i, n, len(hdr)-i-3)
		}
		v := hdr[i+3 : i+3+n]
		switch t {
		case TypeCRC32C:
			if n != 4 {
				return fmt.Errorf("%w: CRC32C TLV has %d bytes, not 4", ErrInvalidHeader, n)
			}
			if crcAt >= 0 {
				return fmt.Errorf("%w: two CRC32C TLVs", ErrInvalidHeader)
			}
			crcAt = i + 3
		case TypeUniqueID:
			if n > 128 {
				return fmt.Errorf("%w: UNIQUE_ID TLV has %d bytes, more than 128", ErrInvalidHeader, n)
			}
		case TypeSSL:
			if err := checkSSL(v); err != nil {
				return fmt.Errorf("%w: SSL TLV: %w", ErrInvalidHeader, err)
			}
		}
		i += 3 + n
	}
	if crcAt >= 0 {
		want := binary.BigEndian.Uint32(hdr[crcAt : crcAt+4])
		if got := headerCRC(hdr, crcAt); got != want {
			return fmt.Errorf("%w: header says 0x%08x, bytes give 0x%08x", ErrChecksum, want, got)
		}
	}
	if off == len(hdr) {
		return nil
	}
	h.tlvBuf = append(h.tlvBuf[:0], hdr[off:]...)
	tb := h.tlvBuf
	for i := 0; i < len(tb); {
		n := int(binary.BigEndian.Uint16(tb[i+1 : i+3]))
		h.TLVs = append(h.TLVs, TLV{Type: TLVType(tb[i]), Value: tb[i+3 : i+3+n : i+3+n]})
		i += 3 + n
	}
	return nil
}

// headerCRC is the CRC32C of hdr with the 4 bytes at crcAt taken as zero.
func headerCRC(hdr []byte, crcAt int) uint32 {
	c := crc32.Update(0, castagnoli, hdr[:crcAt])
	c = crc32.Update(c, castagnoli, zeroCRC[:])
	return crc32.Update(c, castagnoli, hdr[crcAt+4:])
}

// AppendV2 appends h as a version 2 header to dst. For the Local command
// or the Unspec family no address block is written (and a Local header's
// family is written as UNSPEC: the receiver ignores it anyway). If h.TLVs holds a
// CRC32C TLV, its value is replaced by the checksum of the header written.
// A header whose addresses do not fit its family, or which would exceed
// 65,535 bytes after the first 16, gives an error and dst unchanged.
func (h *Header) AppendV2(dst []byte) ([]byte, error) {
	if h.Command != Local && h.Command != Proxy {
		return dst, fmt.Errorf("unable to write PROXY v2 header: command %s is not LOCAL or PROXY", h.Command)
	}
	if h.Family > Unix || h.Transport > Datagram {
		return dst, fmt.Errorf("unable to write PROXY v2 header: family %s, transport %s", h.Family, h.Transport)
	}
	fam := h.Family
	if h.Command == Local {
		fam = Unspec
	}
	switch fam {
	case Inet:
		if !h.Source.Addr().Is4() || !h.Destination.Addr().Is4() {
			return dst, fmt.Errorf("unable to write PROXY v2 INET header: %s -> %s are not both IPv4", h.Source, h.Destination)
		}
	case Inet6:
		if !h.Source.Addr().Is6() || !h.Destination.Addr().Is6() {
			return dst, fmt.Errorf("unable to write PROXY v2 INET6 header: %s -> %s are not both IPv6", h.Source, h.Destination)
		}
	case Unix:
		for _, p := range []string{h.SourcePath, h.DestinationPath} {
			if len(p) > unixPathLen {
				return dst, fmt.Errorf("unable to write PROXY v2 UNIX header: path %q is longer than %d bytes", p, unixPathLen)
			}
		}
	}
	size := fam.addrLen()
	crcs := 0
	for _, t := range h.TLVs {
		if len(t.Value) > 0xffff {
			return dst, fmt.Errorf("unable to write PROXY v2 header: TLV %s has %d bytes, more than 65535", t.Type, len(t.Value))
		}
		if t.Type == TypeCRC32C {
			crcs++
		}
		size += 3 + len(t.Value)
	}
	if size > 0xffff {
		return dst, fmt.Errorf("unable to write PROXY v2 header: %d bytes after the first 16, more than 65535", size)
	}
	if crcs > 1 {
		return dst, fmt.Errorf("unable to write PROXY v2 header: %d CRC32C TLVs, at most one", crcs)
	}
	start := len(dst)
	dst = append(dst, v2Signature...)
	dst = append(dst, 0x20|byte(h.Command), byte(fam)<<4|byte(h.Transport))
	dst = binary.BigEndian.AppendUint16(dst, uint16(size))
	switch fam {
	case Inet:
		s, d := h.Source.Addr().As4(), h.Destination.Addr().As4()
		dst = append(append(dst, s[:]...), d[:]...)
		dst = binary.BigEndian.AppendUint16(dst, h.Source.Port())
		dst = binary.BigEndian.AppendUint16(dst, h.Destination.Port())
	case Inet6:
		s, d := h.Source.Addr().As16(), h.Destination.Addr().As16()
		dst = append(append(dst, s[:]...), d[:]...)
		dst = binary.BigEndian.AppendUint16(dst, h.Source.Port())
		dst = binary.BigEndian.AppendUint16(dst, h.Destination.Port())
	case Unix:
		dst = appendUnixPath(dst, h.SourcePath)
		dst = appendUnixPath(dst, h.DestinationPath)
	}
	crcAt := -1
	for _, t := range h.TLVs {
		dst = append(dst, byte(t.Type))
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(t.Value)))
		if t.Type == TypeCRC32C {
			crcAt = len(dst) - start
			dst = append(dst, 0, 0, 0, 0)
			continue
		}
		dst = append(dst, t.Value...)
	}
	if crcAt >= 0 {
		hdr := dst[start:]
		binary.BigEndian.PutUint32(hdr[crcAt:], headerCRC(hdr, crcAt))
	}
	return dst, nil
}

func appendUnixPath(dst []byte, p string) []byte {
	var pad [unixPathLen]byte
	if len(p) > 0 && p[0] == '@' {
		copy(pad[1:], p[1:]) // abstract: sun_path starts with NUL
	} else {
		copy(pad[:], p)
	}
	return append(dst, pad[:]...)
}
