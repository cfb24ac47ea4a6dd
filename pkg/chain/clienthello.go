package chain

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/zmap/zcrypto/tls"
	"golang.org/x/crypto/cryptobyte"
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
	s := cryptobyte.String(record)
	var typ, msgType uint8
	var rv uint16
	var n uint32
	var body cryptobyte.String
	if !s.ReadUint8(&typ) || !s.ReadUint16(&rv) || !s.ReadUint16LengthPrefixed(&body) || typ != recordHandshake {
		return nil, fmt.Errorf("%w: bad record header", ErrNotClientHello)
	}
	body.ReadUint8(&msgType)
	ok := body.ReadUint24(&n)
	if msgType != hsClientHello || !ok || int(n) != len(body) {
		return nil, fmt.Errorf("%w: handshake type %d, length %d of %d", ErrNotClientHello, msgType, n, len(body))
	}
	h, err := parseClientHelloBody(body)
	if err != nil {
		return nil, err
	}
	h.RecordVersion = rv
	return h, nil
}

// parseClientHelloBody parses a ClientHello message body (its handshake
// header removed): the one ClientHello parser, for records certlint sends
// and for hellos read from a capture. On malformed input it returns what
// was read before the fault with the error.
func parseClientHelloBody(body []byte) (*ParsedHello, error) {
	h := &ParsedHello{}
	s := cryptobyte.String(body)
	var session, suites, comp, exts cryptobyte.String
	if !s.ReadUint16(&h.HelloVersion) || !s.Skip(32) {
		return h, fmt.Errorf("%w: truncated random", ErrNotClientHello)
	}
	if !s.ReadUint8LengthPrefixed(&session) || len(session) > 32 {
		return h, fmt.Errorf("%w: bad session id", ErrNotClientHello)
	}
	if !s.ReadUint16LengthPrefixed(&suites) || len(suites)%2 != 0 {
		return h, fmt.Errorf("%w: bad cipher suite list", ErrNotClientHello)
	}
	var id uint16
	for suites.ReadUint16(&id) {
		h.CipherSuites = append(h.CipherSuites, id)
	}
	if !s.ReadUint8LengthPrefixed(&comp) {
		return h, fmt.Errorf("%w: bad compression list", ErrNotClientHello)
	}
	h.Compression = append(h.Compression, comp...)
	if s.Empty() {
		return h, nil
	}
	if !s.ReadUint16LengthPrefixed(&exts) {
		return h, fmt.Errorf("%w: bad extension block", ErrNotClientHello)
	}
	for !exts.Empty() {
		var data cryptobyte.String
		if !exts.ReadUint16(&id) || !exts.ReadUint16LengthPrefixed(&data) {
			return h, fmt.Errorf("%w: truncated extension", ErrNotClientHello)
		}
		h.Extensions = append(h.Extensions, id)
		h.parseExtension(id, data)
	}
	return h, nil
}

// parseExtension records the contents certlint compares: the SNI name
// (the first host_name of the first server_name extension that has one),
// the groups and the signature algorithms.
func (h *ParsedHello) parseExtension(id uint16, data cryptobyte.String) {
	var list cryptobyte.String
	if !data.ReadUint16LengthPrefixed(&list) {
		return
	}
	switch id {
	case extServerName:
		for h.ServerName == "" && !list.Empty() {
			var nameType uint8
			var name cryptobyte.String
			if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
				return
			}
			if nameType == 0 {
				h.ServerName = string(name)
			}
		}
	case extSupportedGroups, extSignatureAlgorithms:
		var v uint16
		for list.ReadUint16(&v) {
			if id == extSupportedGroups {
				h.Groups = append(h.Groups, v)
			} else {
				h.SignatureAlgorithms = append(h.SignatureAlgorithms, v)
			}
		}
	}
}
