// Package pin reads the pins a device holds instead of (or besides) a trust
// anchor — a certificate fingerprint, a public-key hash, a whole public key
// or certificate — in every spelling users paste, and compares them with a
// served certificate the way a device's pinning call does.
package pin

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
	"unicode"
)

// Kind says what a pin identifies and how.
type Kind string

// The kinds of pin. The first three are digests; PublicKey and Certificate
// hold the whole value (what BearSSL's setKnownKey or a pinned PEM takes).
// SHA256 is a 32-byte digest given without saying whether it is over the
// certificate or over its public key; it is resolved per device.
const (
	CertSHA1    Kind = "cert-sha1"   // SHA-1 of the certificate's DER
	CertSHA256  Kind = "cert-sha256" // SHA-256 of the certificate's DER
	SPKISHA256  Kind = "spki-sha256" // SHA-256 of the SubjectPublicKeyInfo (HPKP pin-sha256)
	PublicKey   Kind = "public-key"  // the SubjectPublicKeyInfo itself
	Certificate Kind = "certificate" // the certificate itself
	SHA256      Kind = "sha256"      // 32-byte digest of the certificate or of its key
)

// Kinds lists the kinds a device profile may declare (trust.pins[].kind).
var Kinds = []Kind{CertSHA1, CertSHA256, SPKISHA256, PublicKey, Certificate}

// Pin is one value a device holds to recognise its server.
type Pin struct {
	// Input is the value as the user gave it, shortened for messages.
	Input string
	// Origin says where the pin came from: "--pin #2", "pins.txt:7".
	Origin string
	Kind   Kind
	// Value is the digest for the digest kinds, the SubjectPublicKeyInfo
	// DER for PublicKey, the certificate DER for Certificate.
	Value []byte
}

// Name is how messages refer to the pin: its origin and its input.
func (p Pin) Name() string {
	if p.Origin == "" {
		return fmt.Sprintf("pin %s", p.Input)
	}
	return fmt.Sprintf("pin %s (%s)", p.Input, p.Origin)
}

// Describe says in words what kind of pin it is.
func (k Kind) Describe() string {
	switch k {
	case CertSHA1:
		return "SHA-1 certificate fingerprint"
	case CertSHA256:
		return "SHA-256 certificate fingerprint"
	case SPKISHA256:
		return "SHA-256 public-key pin"
	case PublicKey:
		return "public key"
	case Certificate:
		return "certificate"
	case SHA256:
		return "SHA-256 digest (of the certificate or of its public key)"
	}
	return string(k)
}

// IsKey reports whether the kind identifies a public key rather than one
// certificate: such a pin survives a renewal that keeps the key.
func (k Kind) IsKey() bool { return k == SPKISHA256 || k == PublicKey }

// Error is a pin that cannot be read, with the reason.
type Error struct {
	Input  string
	Origin string
	Reason string
}

func (e *Error) Error() string {
	where := ""
	if e.Origin != "" {
		where = e.Origin + ": "
	}
	return fmt.Sprintf("%spin %q: %s", where, e.Input, e.Reason)
}

// maxInput bounds what Parse reads: a PEM certificate with a long chain of
// names is a few kilobytes, a fingerprint under a hundred bytes.
const maxInput = 64 << 10

// Parse reads one pin in any accepted spelling:
//
//   - a certificate fingerprint in hex, SHA-1 (20 bytes) or SHA-256 (32
//     bytes), bytes separated by spaces, colons or nothing, any case, with
//     or without openssl's "SHA1 Fingerprint=" prefix;
//   - a prefix that says the kind: cert-sha1:, cert-sha256:, spki-sha256:
//     (hex or base64 after it);
//   - an HPKP public-key pin: sha256//BASE64 or pin-sha256="BASE64", or a
//     bare 44-character base64 SHA-256 (the form HPKP and curl use);
//   - a PEM (or DER) certificate or public key.
//
// A plain 64-digit hex value is Kind SHA256: it is matched against the
// certificate or its key as the device compares. origin names where the
// pin came from for error messages.
func Parse(input, origin string) (Pin, error) {
	p, reason := parse([]byte(input))
	if reason != "" {
		return Pin{}, &Error{Input: shorten(input), Origin: origin, Reason: reason}
	}
	p.Input, p.Origin = shorten(input), origin
	return p, nil
}

// ParseBytes reads a pin from a file's contents (PEM, DER or a text
// fingerprint); name is the file name used as the pin's input.
func ParseBytes(data []byte, name, origin string) (Pin, error) {
	p, reason := parse(data)
	if reason != "" {
		return Pin{}, &Error{Input: name, Origin: origin, Reason: reason}
	}
	p.Input, p.Origin = name, origin
	return p, nil
}

func parse(raw []byte) (Pin, string) {
	if len(raw) > maxInput {
		return Pin{}, fmt.Sprintf("longer than %d KiB; a pin is a fingerprint, a key or one certificate", maxInput>>10)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if looksDER(raw) {
		return parseDER(raw)
	}
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return Pin{}, "empty"
	}
	if strings.Contains(s, "-----BEGIN") {
		return parsePEM([]byte(s))
	}
	lower := strings.ToLower(s)
	for _, pre := range []struct {
		prefix string
		kind   Kind
	}{
		{"sha256//", SPKISHA256}, {`pin-sha256="`, SPKISHA256}, {"pin-sha256=", SPKISHA256},
	} {
		// HPKP wrote its pins in base64 only.
		if strings.HasPrefix(lower, pre.prefix) {
			return base64Digest(strings.TrimSuffix(strings.TrimSpace(s[len(pre.prefix):]), `"`))
		}
	}
	for _, pre := range []struct {
		prefix string
		kind   Kind
	}{
		{"spki-sha256:", SPKISHA256}, {"cert-sha256:", CertSHA256}, {"cert-sha1:", CertSHA1},
		{"sha256 fingerprint=", CertSHA256}, {"sha1 fingerprint=", CertSHA1},
	} {
		if strings.HasPrefix(lower, pre.prefix) {
			return digest(strings.TrimSpace(s[len(pre.prefix):]), pre.kind)
		}
	}
	if strings.HasPrefix(lower, "sha1//") || strings.HasPrefix(lower, "pin-sha1") {
		return Pin{}, "SHA-1 public-key pins are not supported by any device profile; give the sha256// pin, the certificate's SHA-1 fingerprint, or the key as PEM"
	}
	return digest(s, "")
}

// digest reads a hex or base64 digest; kind "" means guess from the length.
func digest(s string, kind Kind) (Pin, string) {
	if s == "" {
		return Pin{}, "no digest after the prefix"
	}
	b, reason := decodeHex(s)
	if reason != "" {
		if kind == CertSHA1 || kind == CertSHA256 || kind == "" && !looksBase64(s) {
			return Pin{}, reason
		}
		if !looksBase64(s) {
			return Pin{}, "neither hex nor base64 (" + reason + ")"
		}
		var err error
		if b, err = base64.StdEncoding.DecodeString(s); err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				return Pin{}, "neither hex nor base64 (" + reason + ")"
			}
		}
		if kind == "" {
			// A base64 digest without a prefix is the HPKP spelling of
			// a public-key pin.
			kind = SPKISHA256
		}
	}
	switch {
	case kind == "" && len(b) == sha1.Size:
		kind = CertSHA1
	case kind == "" && len(b) == sha256.Size:
		kind = SHA256
	case kind == "":
		return Pin{}, fmt.Sprintf("%d bytes; a SHA-1 fingerprint has 20 (40 hex digits), a SHA-256 one 32 (64 hex digits)", len(b))
	}
	want := sha256.Size
	if kind == CertSHA1 {
		want = sha1.Size
	}
	if len(b) != want {
		return Pin{}, fmt.Sprintf("%d bytes; a %s has %d (%d hex digits)", len(b), kind.Describe(), want, 2*want)
	}
	return Pin{Kind: kind, Value: b}, ""
}

// base64Digest reads an HPKP pin's base64 SHA-256.
func base64Digest(s string) (Pin, string) {
	if s == "" {
		return Pin{}, "no digest after the prefix"
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return Pin{}, "not base64, which HPKP pins are written in: " + err.Error()
		}
	}
	if len(b) != sha256.Size {
		return Pin{}, fmt.Sprintf("%d bytes; a SHA-256 public-key pin has 32 (44 base64 characters)", len(b))
	}
	return Pin{Kind: SPKISHA256, Value: b}, ""
}

// decodeHex reads hex bytes separated by spaces, colons, dashes or
// nothing, in any case: the spellings of browsers, openssl and the
// ESP8266 examples ("B8 4F 40 …").
func decodeHex(s string) ([]byte, string) {
	var digits strings.Builder
	for i, r := range s {
		switch {
		case r == ' ' || r == ':' || r == '-' || r == '\t':
		case r < unicode.MaxASCII && (r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'):
			digits.WriteRune(r)
		default:
			return nil, fmt.Sprintf("%q at position %d is not a hex digit", r, i+1)
		}
	}
	h := digits.String()
	if len(h)%2 == 1 {
		return nil, fmt.Sprintf("%d hex digits, an odd number: a digit is missing or extra", len(h))
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, err.Error()
	}
	return b, ""
}

func looksBase64(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=') {
			return false
		}
	}
	return true
}

func parsePEM(data []byte) (Pin, string) {
	block, rest := pem.Decode(data)
	if block == nil {
		return Pin{}, "a PEM header without a readable block (check the BEGIN/END lines and the base64 between them)"
	}
	if next, _ := pem.Decode(rest); next != nil {
		return Pin{}, "more than one PEM block; a pin is one certificate or one key (pin the leaf, or give one pin per certificate)"
	}
	switch block.Type {
	case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
		return certPin(block.Bytes)
	case "PUBLIC KEY":
		if _, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil {
			return Pin{}, "PUBLIC KEY block does not parse: " + err.Error()
		}
		return Pin{Kind: PublicKey, Value: block.Bytes}, ""
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return Pin{}, "RSA PUBLIC KEY block does not parse: " + err.Error()
		}
		spki, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return Pin{}, err.Error()
		}
		return Pin{Kind: PublicKey, Value: spki}, ""
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		return Pin{}, "a PRIVATE key: never copy a server's private key; pin its certificate or public key (openssl pkey -pubout)"
	}
	return Pin{}, fmt.Sprintf("PEM block of type %q; want CERTIFICATE or PUBLIC KEY", block.Type)
}

// looksDER tells a DER SEQUENCE (0x30 then a length byte) from text that
// starts with the digit 0 (also 0x30): a DER length byte is not printable.
func looksDER(b []byte) bool {
	if len(b) < 2 || b[0] != 0x30 {
		return false
	}
	return b[1] >= 0x80 || b[1] < 0x20 && b[1] != '\t' && b[1] != '\n' && b[1] != '\r'
}

func parseDER(der []byte) (Pin, string) {
	if p, reason := certPin(der); reason == "" {
		return p, ""
	}
	if _, err := x509.ParsePKIXPublicKey(der); err == nil {
		return Pin{Kind: PublicKey, Value: der}, ""
	}
	return Pin{}, "binary data that is neither a DER certificate nor a DER public key"
}

func certPin(der []byte) (Pin, string) {
	if _, err := SPKI(der); err != nil {
		return Pin{}, "certificate does not parse: " + err.Error()
	}
	return Pin{Kind: Certificate, Value: der}, ""
}

func shorten(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))
	if strings.Contains(s, "-----BEGIN") {
		if i := strings.Index(s, "-----BEGIN "); i >= 0 {
			head := s[i+len("-----BEGIN "):]
			if j := strings.Index(head, "-----"); j >= 0 {
				return "(PEM " + head[:j] + ")"
			}
		}
		return "(PEM)"
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
	s = b.String()
	if r := []rune(s); len(r) > 100 {
		return string(r[:97]) + "..."
	}
	return s
}
