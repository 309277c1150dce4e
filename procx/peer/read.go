package peer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxHeaderSize bounds how many bytes a [Conn] reads looking for a
// header when [Config.MaxHeaderSize] is zero. It holds any v1 line, every
// v2 address block and a few kilobytes of TLVs (an SSL TLV with a client
// certificate may need more).
const DefaultMaxHeaderSize = 4096

// MinMaxHeaderSize is the smallest bound accepted: a v2 header with a unix
// address block (16 + 216 bytes).
const MinMaxHeaderSize = v2HeaderLen + 216

// ReadHeader reads from r until it holds a complete PROXY header, parses
// it into h and returns the bytes read past the header (the start of the
// application's data, which a caller must not lose).
//
// It reads at most maxSize bytes: a v2 header whose length field says it
// is longer is refused as soon as its first 16 bytes arrive, and a v1 line
// must end within 107 bytes; both errors wrap [ErrTooLarge] or
// [ErrInvalidHeader]. When the bytes cannot start a header, or r ends or
// fails before sending any, the error wraps [ErrNoHeader] (and the read
// error, if any) and rest holds every byte read, so that the caller can
// serve them as data. ReadHeader sets no deadline: bound it in time with
// the connection's read deadline, as [Conn] does.
func ReadHeader(r io.Reader, h *Header, maxSize int) (rest []byte, err error) {
	if maxSize < MinMaxHeaderSize {
		return nil, fmt.Errorf("unable to read PROXY header: size bound %d is below %d", maxSize, MinMaxHeaderSize)
	}
	buf := make([]byte, 0, min(maxSize, 256))
	for {
		if len(buf) > 0 {
			n, perr := ParseHeader(buf, h)
			switch {
			case perr == nil:
				return buf[n:], nil
			case errors.Is(perr, ErrNoHeader):
				return buf, perr
			case !errors.Is(perr, ErrTruncated):
				return nil, perr
			}
			if total := v2Total(buf); total > maxSize {
				return nil, fmt.Errorf("%w: v2 header says %d bytes, the bound is %d", ErrTooLarge, total, maxSize)
			} else if total > cap(buf) {
				buf = append(make([]byte, 0, total), buf...)
			}
			if len(buf) >= maxSize {
				return nil, fmt.Errorf("%w: no complete header in %d bytes", ErrTooLarge, len(buf))
			}
		}
		if len(buf) == cap(buf) {
			buf = append(make([]byte, 0, min(2*cap(buf), maxSize)), buf...)
		}
		n, rerr := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if rerr != nil && n == 0 {
			if len(buf) == 0 {
				return nil, fmt.Errorf("%w: nothing read: %w", ErrNoHeader, rerr)
			}
			if rerr == io.EOF {
				rerr = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("%w after %d bytes: %w", ErrTruncated, len(buf), rerr)
		}
	}
}

// v2Total returns the total length of the v2 header starting buf, or 0
// when buf does not hold its first 16 bytes yet.
func v2Total(buf []byte) int {
	if len(buf) < v2HeaderLen || string(buf[:len(v2Signature)]) != v2Signature {
		return 0
	}
	return v2HeaderLen + int(binary.BigEndian.Uint16(buf[14:16]))
}
