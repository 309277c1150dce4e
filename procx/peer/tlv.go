package peer

import (
	"encoding/binary"
	"fmt"
)

// TLVType is the type byte of a version 2 TLV.
type TLVType uint8

// TLV types defined by the PROXY protocol specification. 0xE0-0xEF are
// for custom use, 0xF0-0xF7 experimental, 0xF8-0xFF future use.
const (
	TypeALPN      TLVType = 0x01 // the application protocol (ALPN), e.g. "h2"
	TypeAuthority TLVType = 0x02 // the host name (TLS SNI or HTTP Host)
	TypeCRC32C    TLVType = 0x03 // CRC32C of the whole header, 4 bytes
	TypeNoop      TLVType = 0x04 // padding, ignored
	TypeUniqueID  TLVType = 0x05 // an opaque connection ID, at most 128 bytes
	TypeSSL       TLVType = 0x20 // TLS information, see [SSL]
	TypeNetNS     TLVType = 0x30 // the name of the sender's network namespace

	// Sub-TLVs of the SSL TLV.
	SubtypeSSLVersion    TLVType = 0x21 // "TLSv1.3"
	SubtypeSSLCN         TLVType = 0x22 // client certificate's Common Name
	SubtypeSSLCipher     TLVType = 0x23 // "TLS_AES_128_GCM_SHA256"
	SubtypeSSLSigAlg     TLVType = 0x24 // certificate signature algorithm
	SubtypeSSLKeyAlg     TLVType = 0x25 // certificate key algorithm
	SubtypeSSLGroup      TLVType = 0x26 // key exchange group
	SubtypeSSLSigScheme  TLVType = 0x27 // signature scheme
	SubtypeSSLClientCert TLVType = 0x28 // client certificate, DER
)

var tlvNames = map[TLVType]string{
	TypeALPN: "ALPN", TypeAuthority: "AUTHORITY", TypeCRC32C: "CRC32C", TypeNoop: "NOOP",
	TypeUniqueID: "UNIQUE_ID", TypeSSL: "SSL", TypeNetNS: "NETNS",
	SubtypeSSLVersion: "SSL_VERSION", SubtypeSSLCN: "SSL_CN", SubtypeSSLCipher: "SSL_CIPHER",
	SubtypeSSLSigAlg: "SSL_SIG_ALG", SubtypeSSLKeyAlg: "SSL_KEY_ALG", SubtypeSSLGroup: "SSL_GROUP",
	SubtypeSSLSigScheme: "SSL_SIG_SCHEME", SubtypeSSLClientCert: "SSL_CLIENT_CERT",
}

// String returns the specification's name for t ("CRC32C", "SSL_CN"),
// or says which range an unnamed type is in.
func (t TLVType) String() string {
	if n, ok := tlvNames[t]; ok {
		return n
	}
	switch {
	case t >= 0xe0 && t <= 0xef:
		return fmt.Sprintf("CUSTOM(0x%02x)", uint8(t))
	case t >= 0xf0 && t <= 0xf7:
		return fmt.Sprintf("EXPERIMENT(0x%02x)", uint8(t))
	}
	return fmt.Sprintf("TLV(0x%02x)", uint8(t))
}

// A TLV is one type-length-value record of a version 2 header. The length
// is len(Value), at most 65,535.
type TLV struct {
	Type  TLVType
	Value []byte
}

// Client bits of the SSL TLV.
const (
	ClientSSL      = 0x01 // the client connected over SSL/TLS
	ClientCertConn = 0x02 // the client sent a certificate on this connection
	ClientCertSess = 0x04 // the client sent a certificate in this TLS session
)

// SSL is the value of the SSL TLV (type 0x20): a client bit field, a
// verify result and sub-TLVs.
type SSL struct {
	// Client holds the ClientSSL, ClientCertConn and ClientCertSess bits.
	Client uint8
	// Verify is zero when the client presented a certificate and it was
	// verified successfully.
	Verify uint32
	// TLVs are the sub-TLVs (SubtypeSSLVersion ...).
	TLVs []TLV
}

// checkSSL checks the structure of an SSL TLV value without allocating.
func checkSSL(v []byte) error {
	if len(v) < 5 {
		return fmt.Errorf("value has %d bytes, fewer than the 5 of client and verify", len(v))
	}
	for i := 5; i < len(v); {
		if len(v)-i < 3 {
			return fmt.Errorf("%d stray bytes after the last sub-TLV", len(v)-i)
		}
		n := int(binary.BigEndian.Uint16(v[i+1 : i+3]))
		if n > len(v)-i-3 {
			return fmt.Errorf("sub-TLV %s claims %d bytes, %d are left", TLVType(v[i]), n, len(v)-i-3)
		}
		i += 3 + n
	}
	return nil
}

// parseSSL parses the value of an SSL TLV. Sub-TLV values share v.
func parseSSL(v []byte) (SSL, error) {
	if err := checkSSL(v); err != nil {
		return SSL{}, fmt.Errorf("unable to parse SSL TLV: %w", err)
	}
	s := SSL{Client: v[0], Verify: binary.BigEndian.Uint32(v[1:5])}
	for i := 5; i < len(v); {
		n := int(binary.BigEndian.Uint16(v[i+1 : i+3]))
		s.TLVs = append(s.TLVs, TLV{Type: TLVType(v[i]), Value: v[i+3 : i+3+n : i+3+n]})
		i += 3 + n
	}
	return s, nil
}

// SSL returns the header's SSL TLV, parsed, and whether there was one.
func (h *Header) SSL() (SSL, bool, error) {
	v, ok := h.TLV(TypeSSL)
	if !ok {
		return SSL{}, false, nil
	}
	s, err := parseSSL(v)
	return s, true, err
}

// Get returns the value of the first sub-TLV of type t as a string, and
// whether there was one.
func (s SSL) Get(t TLVType) (string, bool) {
	for _, tlv := range s.TLVs {
		if tlv.Type == t {
			return string(tlv.Value), true
		}
	}
	return "", false
}

// Verified reports whether the client sent a certificate that was
// verified: a certificate bit is set and Verify is zero.
func (s SSL) Verified() bool {
	return s.Client&(ClientCertConn|ClientCertSess) != 0 && s.Verify == 0
}

// TLV encodes s as an SSL TLV, for [Header.AppendV2]. A sub-TLV longer
// than 65,535 bytes, or a total over 65,535, gives an error.
func (s SSL) TLV() (TLV, error) {
	v := []byte{s.Client}
	v = binary.BigEndian.AppendUint32(v, s.Verify)
	for _, t := range s.TLVs {
		if len(t.Value) > 0xffff {
			return TLV{}, fmt.Errorf("unable to encode SSL TLV: sub-TLV %s has %d bytes", t.Type, len(t.Value))
		}
		v = append(v, byte(t.Type))
		v = binary.BigEndian.AppendUint16(v, uint16(len(t.Value)))
		v = append(v, t.Value...)
	}
	if len(v) > 0xffff {
		return TLV{}, fmt.Errorf("unable to encode SSL TLV: %d bytes, more than 65535", len(v))
	}
	return TLV{Type: TypeSSL, Value: v}, nil
}
