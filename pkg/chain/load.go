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
// ParseError so size checks still see it. More than MaxChainCerts
// certificates is an error; ParseServedChain takes them.
func ParseChain(data []byte) ([]*Cert, error) {
	certs, msg, err := ParseServedChain(data)
	if err != nil {
		return nil, err
	}
	if msg.Certs > MaxChainCerts {
		return nil, fmt.Errorf("input holds %d certificates; at most %d are accepted", msg.Certs, MaxChainCerts)
	}
	return certs, nil
}

// ParseServedChain reads a chain the way ParseChain does, without refusing a
// long one: it returns the first MaxChainCerts certificates and the
// Certificate message a server would send them in, which counts every
// certificate (its Records are unknown).
func ParseServedChain(data []byte) ([]*Cert, *CertificateMessage, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, errors.New("empty input: no certificate data")
	}
	if len(data) > MaxChainInputBytes {
		return nil, nil, fmt.Errorf("input is %d bytes; at most %d bytes are read", len(data), MaxChainInputBytes)
	}
	l := &derList{msg: CertificateMessage{Bytes: 3}}
	var err error
	if containsPEM(data) {
		err = splitPEM(data, l)
	} else {
		err = splitDER(data, l)
	}
	if err != nil {
		return nil, nil, err
	}
	if l.msg.Certs == 0 {
		return nil, nil, ErrNoCertificates
	}
	certs := make([]*Cert, len(l.ders))
	for i, der := range l.ders {
		c := NewCert(der)
		c.Index = i
		c.Source = SourceServed
		certs[i] = c
	}
	return certs, &l.msg, nil
}

// derList collects the certificates of an input: the DER of the first
// MaxChainCerts, and the size of every one, in constant memory past the cap.
type derList struct {
	ders [][]byte
	msg  CertificateMessage
}

func (l *derList) add(der []byte) {
	if len(l.ders) < MaxChainCerts {
		l.ders = append(l.ders, der)
	}
	l.msg.Bytes += 3 + len(der)
	l.msg.add(l.msg.Certs, len(der))
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

// LoadServedChain reads a chain file with ParseServedChain: a chain longer
// than MaxChainCerts is still judged on its size.
func LoadServedChain(path string, stdin io.Reader) ([]*Cert, *CertificateMessage, error) {
	data, err := readCapped(path, stdin)
	if err != nil {
		return nil, nil, err
	}
	certs, msg, err := ParseServedChain(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", displayPath(path), err)
	}
	return certs, msg, nil
}

// readCapped reads a file or stdin ("-"), refusing more than
// MaxChainInputBytes instead of reading it all.
func readCapped(path string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	size := 512 // io.ReadAll's first buffer
	if path == "-" {
		if stdin == nil {
			return nil, errors.New("stdin: no standard input")
		}
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err // "open PATH: no such file or directory"
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a directory, not a file", path)
		} else if err == nil && st.Mode().IsRegular() {
			// One buffer of the file's size (and a byte to see the end):
			// io.ReadAll's doubling from 512 bytes took eight.
			size = int(min(st.Size(), MaxChainInputBytes)) + 1
		}
		r = f
	}
	data, err := readSized(io.LimitReader(r, MaxChainInputBytes+1), size)
	if err != nil {
		if path == "-" {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
		return nil, err // an *os.PathError names the file
	}
	if len(data) > MaxChainInputBytes {
		return nil, fmt.Errorf("%s: input is larger than %d bytes", displayPath(path), MaxChainInputBytes)
	}
	return data, nil
}

// readSized is io.ReadAll starting with a buffer of size bytes.
func readSized(r io.Reader, size int) ([]byte, error) {
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // let append grow it
		}
	}
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
func splitPEM(data []byte, l *derList) error {
	rest := data
	sawBlock := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		sawBlock = true
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE":
			l.add(block.Bytes)
		case "TRUSTED CERTIFICATE":
			// The certificate is the first DER element; trust settings follow.
			der, _, err := firstElement(block.Bytes)
			if err != nil {
				return fmt.Errorf("TRUSTED CERTIFICATE block: %w", err)
			}
			l.add(der)
		case "PKCS7", "CMS":
			if err := pkcs7Certificates(block.Bytes, l); err != nil {
				return fmt.Errorf("PKCS7 block: %w", err)
			}
		}
	}
	if !sawBlock {
		return errors.New("PEM armour found but no block could be decoded (bad base64 or missing END line)")
	}
	return nil
}

// splitDER returns the DER of every certificate in binary input: one
// PKCS#7 SignedData, or one or more concatenated certificates.
func splitDER(data []byte, l *derList) error {
	first, _, err := firstElement(data)
	if err != nil {
		return fmt.Errorf("not PEM, and not DER: %w", err)
	}
	if isPKCS7(first) {
		return pkcs7Certificates(data, l)
	}
	rest := data
	for len(rest) > 0 {
		if len(bytes.TrimRight(rest, "\x00\r\n\t ")) == 0 {
			break // padding after the last certificate
		}
		der, next, err := firstElement(rest)
		if err != nil {
			return fmt.Errorf("DER certificate #%d at byte %d: %w", l.msg.Certs, len(data)-len(rest), err)
		}
		l.add(der)
		rest = next
	}
	return nil
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
func pkcs7Certificates(der []byte, l *derList) error {
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return fmt.Errorf("malformed PKCS#7 ContentInfo: %w", err)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return fmt.Errorf("PKCS#7 content type %s is not signedData", ci.ContentType)
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
		return fmt.Errorf("malformed PKCS#7 SignedData: %w", err)
	}
	rest := sd.Certificates.Bytes
	for len(rest) > 0 {
		var raw asn1.RawValue
		var err error
		rest, err = asn1.Unmarshal(rest, &raw)
		if err != nil {
			return fmt.Errorf("PKCS#7 certificate #%d: %w", l.msg.Certs, err)
		}
		// The set may also hold attribute certificates ([1], [2], [3]); only
		// plain X.509 certificates (a universal SEQUENCE) are kept.
		if raw.Class == asn1.ClassUniversal && raw.Tag == asn1.TagSequence {
			l.add(raw.FullBytes)
		}
	}
	return nil
}
