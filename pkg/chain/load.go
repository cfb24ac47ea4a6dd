package chain

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// Caps on offline input. A real chain is a few certificates of a few KB; the
// caps only stop a hostile or mistaken file from costing unbounded memory.
const (
	// MaxChainInputBytes is the largest chain file or stdin input read.
	MaxChainInputBytes = 16 << 20
	// MaxChainCerts is the most certificates one chain input may hold.
	MaxChainCerts = 64
)

// ErrNoCertificates is returned (wrapped) when an input holds no certificate.
var ErrNoCertificates = errors.New("no certificates found (expected PEM, DER or PKCS#7)")

// oidSignedData is the PKCS#7 signedData content type (RFC 2315 section 9.1).
var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// ParseChain reads certificates from a PEM bundle, concatenated DER, or a
// PKCS#7 (.p7b) SignedData in PEM ("PKCS7") or DER form. Certificates keep
// the order of the input, which for a pasted or captured chain is the order
// the server sent them; each gets Source SourceServed and Index = position.
// Roles are not set: call AssignRoles. PEM blocks of other types (keys,
// CRLs) are skipped. A certificate zcrypto cannot parse is kept with its
// ParseError so size checks still see it.
func ParseChain(data []byte) ([]*Cert, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty input: no certificate data")
	}
	if len(data) > MaxChainInputBytes {
		return nil, fmt.Errorf("input is %d bytes; at most %d bytes are read", len(data), MaxChainInputBytes)
	}
	var ders [][]byte
	var err error
	if containsPEM(data) {
		ders, err = splitPEM(data)
	} else {
		ders, err = splitDER(data)
	}
	if err != nil {
		return nil, err
	}
	if len(ders) == 0 {
		return nil, ErrNoCertificates
	}
	if len(ders) > MaxChainCerts {
		return nil, fmt.Errorf("input holds %d certificates; at most %d are accepted", len(ders), MaxChainCerts)
	}
	certs := make([]*Cert, len(ders))
	for i, der := range ders {
		c := NewCert(der)
		c.Index = i
		c.Source = SourceServed
		certs[i] = c
	}
	return certs, nil
}

// LoadChainFile reads a chain file with ParseChain. The path "-" reads stdin
// (at most MaxChainInputBytes). Errors name the path.
func LoadChainFile(path string, stdin io.Reader) ([]*Cert, error) {
	data, err := readCapped(path, stdin)
	if err != nil {
		return nil, err
	}
	certs, err := ParseChain(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", displayPath(path), err)
	}
	return certs, nil
}

// readCapped reads a file or stdin ("-"), refusing more than
// MaxChainInputBytes instead of reading it all.
func readCapped(path string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		if stdin == nil {
			return nil, errors.New("stdin: no standard input")
		}
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read chain: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxChainInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", displayPath(path), err)
	}
	if len(data) > MaxChainInputBytes {
		return nil, fmt.Errorf("%s: input is larger than %d bytes", displayPath(path), MaxChainInputBytes)
	}
	return data, nil
}

func displayPath(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// containsPEM reports whether data holds a PEM armour line; anything else is
// treated as binary DER.
func containsPEM(data []byte) bool {
	return bytes.Contains(data, []byte("-----BEGIN "))
}

// splitPEM returns the DER of every certificate in a PEM text, in order.
// CRLF line ends, text before or between blocks, "TRUSTED CERTIFICATE"
// (OpenSSL's form with trust settings appended) and "PKCS7" blocks are
// accepted; other block types are skipped.
func splitPEM(data []byte) ([][]byte, error) {
	var ders [][]byte
	rest := data
	sawBlock := false
	for len(ders) <= MaxChainCerts {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		sawBlock = true
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE":
			ders = append(ders, block.Bytes)
		case "TRUSTED CERTIFICATE":
			// The certificate is the first DER element; trust settings follow.
			der, _, err := firstElement(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("TRUSTED CERTIFICATE block: %w", err)
			}
			ders = append(ders, der)
		case "PKCS7", "CMS":
			certs, err := pkcs7Certificates(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PKCS7 block: %w", err)
			}
			ders = append(ders, certs...)
		}
	}
	if !sawBlock {
		return nil, errors.New("PEM armour found but no block could be decoded (bad base64 or missing END line)")
	}
	return ders, nil
}

// splitDER returns the DER of every certificate in binary input: one
// PKCS#7 SignedData, or one or more concatenated certificates.
func splitDER(data []byte) ([][]byte, error) {
	first, _, err := firstElement(data)
	if err != nil {
		return nil, fmt.Errorf("not PEM, and not DER: %w", err)
	}
	if isPKCS7(first) {
		return pkcs7Certificates(data)
	}
	var ders [][]byte
	rest := data
	for len(rest) > 0 {
		if len(ders) > MaxChainCerts {
			break // ParseChain reports the cap
		}
		if len(bytes.TrimRight(rest, "\x00\r\n\t ")) == 0 {
			break // padding after the last certificate
		}
		der, next, err := firstElement(rest)
		if err != nil {
			return nil, fmt.Errorf("DER certificate #%d at byte %d: %w", len(ders), len(data)-len(rest), err)
		}
		ders = append(ders, der)
		rest = next
	}
	return ders, nil
}

// firstElement splits off the first complete DER element (a SEQUENCE) of
// data, returning it with its header, and the bytes after it.
func firstElement(data []byte) (elem, rest []byte, err error) {
	var raw asn1.RawValue
	rest, err = asn1.Unmarshal(data, &raw)
	if err != nil {
		var syntax asn1.SyntaxError
		if errors.As(err, &syntax) && len(data) > 0 && data[0] == 0x30 {
			return nil, nil, fmt.Errorf("truncated or malformed DER (%s)", syntax.Msg)
		}
		return nil, nil, fmt.Errorf("malformed DER: %w", err)
	}
	if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence || !raw.IsCompound {
		return nil, nil, errors.New("malformed DER: expected a SEQUENCE")
	}
	return raw.FullBytes, rest, nil
}

// isPKCS7 reports whether a DER SEQUENCE is a ContentInfo whose content type
// is signedData.
func isPKCS7(der []byte) bool {
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return false
	}
	return ci.ContentType.Equal(oidSignedData)
}

// pkcs7Certificates returns the certificates set of a PKCS#7 SignedData
// (RFC 2315 section 9.1), in the order it holds them. Only the certificates
// matter here, so the rest of SignedData is read as raw values.
func pkcs7Certificates(der []byte) ([][]byte, error) {
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, fmt.Errorf("malformed PKCS#7 ContentInfo: %w", err)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("PKCS#7 content type %s is not signedData", ci.ContentType)
	}
	var sd struct {
		Version          int
		DigestAlgorithms asn1.RawValue
		ContentInfo      asn1.RawValue
		// CRLs and SignerInfos follow; encoding/asn1 ignores trailing
		// elements, and certlint does not need them.
		Certificates asn1.RawValue `asn1:"optional,tag:0"`
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, fmt.Errorf("malformed PKCS#7 SignedData: %w", err)
	}
	var ders [][]byte
	rest := sd.Certificates.Bytes
	for len(rest) > 0 && len(ders) <= MaxChainCerts {
		var raw asn1.RawValue
		var err error
		rest, err = asn1.Unmarshal(rest, &raw)
		if err != nil {
			return nil, fmt.Errorf("PKCS#7 certificate #%d: %w", len(ders), err)
		}
		// The set may also hold attribute certificates ([1], [2], [3]); only
		// plain X.509 certificates (a universal SEQUENCE) are kept.
		if raw.Class == asn1.ClassUniversal && raw.Tag == asn1.TagSequence {
			ders = append(ders, raw.FullBytes)
		}
	}
	return ders, nil
}
