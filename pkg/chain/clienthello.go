package chain

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/zmap/zcrypto/tls"
)

// replayable reports whether the spec can go out byte for byte, and if not,
// why certlint falls back to zcrypto's own hello built from Config.
func (s HelloSpec) replayable() (bool, string) {
	switch {
	case !s.Exact:
		return false, "the profile does not know the device's whole ClientHello (tls.hello_known is not full), so zcrypto's own extensions were sent with the device's versions, suites, groups and SNI"
	case s.newest() >= tls.VersionTLS13:
		return false, "a TLS 1.3 hello needs key_share and supported_versions, which certlint cannot replay; zcrypto's own TLS 1.3 hello was sent"
	case s.newest() < tls.VersionTLS10:
		return false, ""
	}
	return true, ""
}

// newest returns the highest version the spec lists, 0 for none known.
func (s HelloSpec) newest() uint16 {
	var hi uint16
	for _, name := range s.Versions {
		if v, ok := VersionByProfileName(name); ok {
			hi = max(hi, v.ID)
		}
	}
	return hi
}

// fingerprint builds the zcrypto configuration that sends exactly the
// device's ClientHello: client_version, suites in order, compression and
// extensions in order with their contents, and nothing else. It returns the
// places where zcrypto forces a different byte (record version, a
// compression method it cannot offer).
func (s HelloSpec) fingerprint(serverName string) (*tls.Config, []string, error) {
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	var approx []string
	fp := &tls.ClientFingerprintConfiguration{HandshakeVersion: s.newest(), CompressionMethods: []uint8{0}}
	if s.HelloVersion != "" {
		v, _ := VersionByProfileName(s.HelloVersion)
		fp.HandshakeVersion = v.ID
	}
	if methods := s.Compression; len(methods) > 0 && !(len(methods) == 1 && methods[0] == "null") {
		approx = append(approx, fmt.Sprintf("compression: the device offers %v, zcrypto can offer only null", methods))
	}
	for _, name := range s.CipherSuites {
		id, _ := CipherSuiteByName(name)
		fp.CipherSuites = append(fp.CipherSuites, id)
	}
	cfg := &tls.Config{
		InsecureSkipVerify:             true,
		RootCAs:                        emptyRoots,
		MinVersion:                     max(s.oldest(), tls.VersionTLS10),
		ForceSuites:                    true,
		ClientFingerprintConfiguration: fp,
	}
	for _, name := range s.Extensions {
		ext, err := s.extension(name, serverName)
		if err != nil {
			return nil, nil, err
		}
		if ext != nil {
			fp.Extensions = append(fp.Extensions, ext)
		}
	}
	return cfg, approx, nil
}

// oldest returns the lowest version the spec lists.
func (s HelloSpec) oldest() uint16 {
	lo := uint16(0xffff)
	for _, name := range s.Versions {
		if v, ok := VersionByProfileName(name); ok {
			lo = min(lo, v.ID)
		}
	}
	return lo
}

// extension returns the zcrypto extension that puts name on the wire with
// the spec's contents; nil for server_name when there is no name to send
// (an IP target: the device would send none either).
func (s HelloSpec) extension(name, serverName string) (tls.ClientExtension, error) {
	switch name {
	case "server_name":
		if serverName == "" {
			return nil, nil
		}
		return &tls.SNIExtension{Domains: []string{serverName}}, nil
	case "supported_groups":
		ext := &tls.SupportedCurvesExtension{}
		for _, n := range s.Curves {
			id, _ := CurveByName(n)
			ext.Curves = append(ext.Curves, id)
		}
		return ext, nil
	case "ec_point_formats":
		return &tls.PointFormatExtension{Formats: []uint8{0}}, nil // uncompressed
	case "signature_algorithms":
		return s.signatureAlgorithmsExtension(), nil
	case "session_ticket":
		return &tls.SessionTicketExtension{}, nil
	case "renegotiation_info":
		return &tls.SecureRenegotiationExtension{}, nil
	case "extended_master_secret":
		return &tls.ExtendedMasterSecretExtension{}, nil
	case "status_request":
		return &tls.StatusRequestExtension{}, nil
	case "signed_certificate_timestamp":
		return &tls.SCTExtension{}, nil
	case "max_fragment_length":
		code, ok := MaxFragmentLengths[s.MaxFragmentLength]
		if !ok {
			return nil, fmt.Errorf("%w: max_fragment_length needs a size of 512, 1024, 2048 or 4096 bytes, not %d", ErrBadHelloSpec, s.MaxFragmentLength)
		}
		return &rawExtension{id: 1, data: []byte{code}}, nil
	case "heartbeat":
		return &rawExtension{id: 15, data: []byte{1}}, nil // peer_allowed_to_send
	case "truncated_hmac":
		return &rawExtension{id: 4}, nil
	case "encrypt_then_mac":
		return &rawExtension{id: 22}, nil
	}
	return nil, fmt.Errorf("%w: unknown extension %q", ErrBadHelloSpec, name)
}

// signatureAlgorithmsExtension lists the spec's algorithms in order. zcrypto's
// own type refuses pairs it cannot verify (PSS, Ed25519, MD5), so the list
// is marshalled here and zcrypto is told only the pairs it knows.
func (s HelloSpec) signatureAlgorithmsExtension() tls.ClientExtension {
	data := binary.BigEndian.AppendUint16(nil, uint16(2*len(s.SignatureAlgorithms)))
	var known []uint16
	for _, name := range s.SignatureAlgorithms {
		id, _ := SignatureAlgorithmByName(name)
		data = binary.BigEndian.AppendUint16(data, id)
		if (&tls.SignatureAlgorithmExtension{SignatureAndHashes: []uint16{id}}).CheckImplemented() == nil {
			known = append(known, id)
		}
	}
	return &rawExtension{id: 13, data: data, toConfig: &tls.SignatureAlgorithmExtension{SignatureAndHashes: known}}
}

// rawExtension is an extension zcrypto has no type for, or whose contents
// zcrypto would change: certlint writes its bytes itself.
type rawExtension struct {
	id   uint16
	data []byte
	// toConfig, when set, tells zcrypto what the extension means for the
	// rest of the handshake.
	toConfig tls.ClientExtension
}

// Marshal returns type, length and data, as the extension goes on the wire.
func (e *rawExtension) Marshal() []byte {
	out := binary.BigEndian.AppendUint16(nil, e.id)
	out = binary.BigEndian.AppendUint16(out, uint16(len(e.data)))
	return append(out, e.data...)
}

// CheckImplemented accepts every extension: the bytes are certlint's own.
func (e *rawExtension) CheckImplemented() error { return nil }

// WriteToConfig passes the meaning on to zcrypto when it has one.
func (e *rawExtension) WriteToConfig(c *tls.Config) error {
	if e.toConfig != nil {
		return e.toConfig.WriteToConfig(c)
	}
	return nil
}

// ParsedHello is a ClientHello as read off the wire, with names where
// certlint knows them. Tests use it to compare what certlint sends with
// what the profile says.
type ParsedHello struct {
	RecordVersion       uint16
	HelloVersion        uint16
	CipherSuites        []uint16
	Compression         []uint8
	Extensions          []uint16 // code points in wire order
	ServerName          string
	Groups              []uint16
	SignatureAlgorithms []uint16
}

// ErrNotClientHello is returned by ParseClientHello for bytes that are not
// one TLS record holding a ClientHello.
var ErrNotClientHello = errors.New("not a TLS ClientHello record")

// ParseClientHello parses a TLS record carrying a ClientHello (record
// header included). It never panics on short or malformed input.
func ParseClientHello(record []byte) (*ParsedHello, error) {
	r := reader(record)
	typ, ok1 := r.u8()
	rv, ok2 := r.u16()
	body, ok3 := r.vec16()
	if !ok1 || !ok2 || !ok3 || typ != 22 {
		return nil, fmt.Errorf("%w: bad record header", ErrNotClientHello)
	}
	h := &ParsedHello{RecordVersion: rv}
	msgType, _ := body.u8()
	n, ok := body.u24()
	if msgType != 1 || !ok || int(n) != len(body) {
		return nil, fmt.Errorf("%w: handshake type %d, length %d of %d", ErrNotClientHello, msgType, n, len(body))
	}
	var random, session, suites, comp reader
	h.HelloVersion, ok = body.u16()
	if random, ok = body.take(32, ok); !ok || len(random) != 32 {
		return nil, fmt.Errorf("%w: truncated random", ErrNotClientHello)
	}
	if session, ok = body.vec8(); !ok || len(session) > 32 {
		return nil, fmt.Errorf("%w: bad session id", ErrNotClientHello)
	}
	if suites, ok = body.vec16(); !ok || len(suites)%2 != 0 {
		return nil, fmt.Errorf("%w: bad cipher suite list", ErrNotClientHello)
	}
	for len(suites) > 0 {
		id, _ := suites.u16()
		h.CipherSuites = append(h.CipherSuites, id)
	}
	if comp, ok = body.vec8(); !ok {
		return nil, fmt.Errorf("%w: bad compression list", ErrNotClientHello)
	}
	h.Compression = append(h.Compression, comp...)
	if len(body) == 0 {
		return h, nil
	}
	exts, ok := body.vec16()
	if !ok {
		return nil, fmt.Errorf("%w: bad extension block", ErrNotClientHello)
	}
	for len(exts) > 0 {
		id, ok1 := exts.u16()
		data, ok2 := exts.vec16()
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%w: truncated extension", ErrNotClientHello)
		}
		h.Extensions = append(h.Extensions, id)
		h.parseExtension(id, data)
	}
	return h, nil
}

// parseExtension records the contents certlint compares: the SNI name,
// the groups and the signature algorithms.
func (h *ParsedHello) parseExtension(id uint16, data reader) {
	switch id {
	case 0:
		list, _ := data.vec16()
		if _, ok := list.u8(); ok {
			name, _ := list.vec16()
			h.ServerName = string(name)
		}
	case 10, 13:
		list, _ := data.vec16()
		for len(list) >= 2 {
			v, _ := list.u16()
			if id == 10 {
				h.Groups = append(h.Groups, v)
			} else {
				h.SignatureAlgorithms = append(h.SignatureAlgorithms, v)
			}
		}
	}
}

// reader consumes big-endian TLS fields; every method reports false rather
// than panic when the input is short.
type reader []byte

func (r *reader) take(n int, ok bool) (reader, bool) {
	if !ok || n < 0 || len(*r) < n {
		return nil, false
	}
	out := (*r)[:n]
	*r = (*r)[n:]
	return out, true
}

func (r *reader) u8() (uint8, bool) {
	b, ok := r.take(1, true)
	if !ok {
		return 0, false
	}
	return b[0], true
}

func (r *reader) u16() (uint16, bool) {
	b, ok := r.take(2, true)
	if !ok {
		return 0, false
	}
	return binary.BigEndian.Uint16(b), true
}

func (r *reader) u24() (uint32, bool) {
	b, ok := r.take(3, true)
	if !ok {
		return 0, false
	}
	return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]), true
}

func (r *reader) vec8() (reader, bool) {
	n, ok := r.u8()
	return r.take(int(n), ok)
}

func (r *reader) vec16() (reader, bool) {
	n, ok := r.u16()
	return r.take(int(n), ok)
}
