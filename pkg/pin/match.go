package pin

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ErrNoKey is returned by SPKI for input that is not a certificate.
var ErrNoKey = errors.New("no SubjectPublicKeyInfo found")

// SPKI returns the SubjectPublicKeyInfo DER of a certificate, walking
// Certificate → tbsCertificate → subjectPublicKeyInfo (RFC 5280 §4.1). It
// reads only the ASN.1 structure, so certificates crypto/x509 refuses
// (negative serials, odd extensions) still give their key.
func SPKI(der []byte) ([]byte, error) {
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, ErrNoKey
	}
	var version cryptobyte.String
	if !tbs.ReadOptionalASN1(&version, nil, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, ErrNoKey
	}
	// serialNumber, signature, issuer, validity, subject
	for i := 0; i < 5; i++ {
		var skip cryptobyte.String
		var tag cbasn1.Tag
		if !tbs.ReadAnyASN1Element(&skip, &tag) {
			return nil, ErrNoKey
		}
	}
	var spki cryptobyte.String
	if !tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return nil, ErrNoKey
	}
	return []byte(spki), nil
}

// Target is what a device compares a pin with: one certificate and the
// public key in it.
type Target struct {
	DER  []byte // the certificate as served
	SPKI []byte // its SubjectPublicKeyInfo; nil when it could not be read
}

// NewTarget reads the key of a served certificate.
func NewTarget(der []byte) Target {
	spki, _ := SPKI(der)
	return Target{DER: der, SPKI: spki}
}

// Value is what a device holding a pin of kind k holds for t: the digest,
// the key or the certificate. It is nil when t's key could not be read and
// k needs it.
func (t Target) Value(k Kind) []byte {
	switch k {
	case CertSHA1:
		s := sha1.Sum(t.DER)
		return s[:]
	case CertSHA256:
		s := sha256.Sum256(t.DER)
		return s[:]
	case SPKISHA256:
		if t.SPKI == nil {
			return nil
		}
		s := sha256.Sum256(t.SPKI)
		return s[:]
	case PublicKey:
		return t.SPKI
	case Certificate:
		return t.DER
	}
	return nil
}

// Comparable reports whether a pin of this kind can be compared with what
// a device holding a pin of kind device compares: a certificate digest
// only with the same digest, a key pin with a key, a whole certificate
// with any certificate pin (every digest derives from it; a pinned
// certificate is not a pinned key), an unlabelled SHA-256 with either
// SHA-256 kind or a key.
func (p Pin) Comparable(device Kind) bool {
	switch p.Kind {
	case Certificate:
		return !device.IsKey()
	case CertSHA1, CertSHA256:
		return device == p.Kind || device == Certificate
	case SPKISHA256, PublicKey:
		return device.IsKey()
	case SHA256:
		return device == CertSHA256 || device.IsKey() || device == Certificate
	}
	return false
}

// Matches reports whether the pin identifies t the way a device holding a
// pin of kind device compares: the same certificate for a certificate
// pin, the same public key for a key pin. It is false when the pin is not
// Comparable with device.
func (p Pin) Matches(device Kind, t Target) bool {
	if !p.Comparable(device) {
		return false
	}
	if device.IsKey() {
		return bytes.Equal(p.keyDigest(), t.Value(SPKISHA256)) && t.SPKI != nil
	}
	switch p.Kind {
	case Certificate:
		return bytes.Equal(p.Value, t.DER)
	case SHA256:
		return bytes.Equal(p.Value, t.Value(CertSHA256))
	}
	return bytes.Equal(p.Value, t.Value(p.Kind))
}

// keyDigest is the SHA-256 of the key the pin names, or nil.
func (p Pin) keyDigest() []byte {
	switch p.Kind {
	case SPKISHA256, SHA256:
		return p.Value
	case PublicKey:
		s := sha256.Sum256(p.Value)
		return s[:]
	case Certificate:
		spki, err := SPKI(p.Value)
		if err != nil {
			return nil
		}
		s := sha256.Sum256(spki)
		return s[:]
	}
	return nil
}

// The formats a device takes a pin value in (trust.pins[].format).
const (
	FormatHexSpaced    = "hex-spaced"     // "B8 4F 40 …", upper case, the ESP8266 examples' spelling
	FormatHexColon     = "hex-colon"      // "B8:4F:40:…", as browsers and openssl print it
	FormatHex          = "hex"            // "b84f40…"
	FormatBase64       = "base64"         // standard base64 of the digest
	FormatHPKP         = "hpkp"           // "sha256//BASE64"
	FormatPEMPublicKey = "pem-public-key" // -----BEGIN PUBLIC KEY-----
	FormatPEMCert      = "pem-certificate"
)

// Formats lists every format a profile may name.
var Formats = []string{FormatHexSpaced, FormatHexColon, FormatHex, FormatBase64, FormatHPKP, FormatPEMPublicKey, FormatPEMCert}

// Format writes a pin value the way a device takes it. An unknown format
// gives lower-case hex.
func Format(value []byte, format string) string {
	switch format {
	case FormatHexSpaced, FormatHexColon:
		sep := " "
		if format == FormatHexColon {
			sep = ":"
		}
		parts := make([]string, len(value))
		for i, b := range value {
			parts[i] = fmt.Sprintf("%02X", b)
		}
		return strings.Join(parts, sep)
	case FormatBase64:
		return base64.StdEncoding.EncodeToString(value)
	case FormatHPKP:
		return "sha256//" + base64.StdEncoding.EncodeToString(value)
	case FormatPEMPublicKey:
		return strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: value})))
	case FormatPEMCert:
		return strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: value})))
	}
	return hex.EncodeToString(value)
}
