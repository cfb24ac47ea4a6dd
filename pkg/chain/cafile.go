package chain

import (
	"errors"
	"fmt"
)

// ErrNotCertificate is returned (wrapped with the path) when a CA file holds
// no certificate in any format certlint reads.
var ErrNotCertificate = errors.New("not a certificate (expected PEM or DER)")

// LoadCAFile reads the CA file a device holds. Format is "pem" when the
// file contains a PEM block and "der" otherwise; Bytes is the file size,
// because that is what the device stores in its CA slot, PEM armour and
// comments included. Every certificate in it gets Source SourceCAFile. The
// error names the path, e.g. "file.txt: not a certificate (expected PEM or
// DER)" (wrapping ErrNotCertificate) or an *fs.PathError.
func LoadCAFile(path string) (*CAFile, error) {
	data, err := readCapped(path, nil)
	if err != nil {
		return nil, err // the error names the path
	}
	ca := &CAFile{Path: path, Format: "der", Bytes: len(data)}
	if containsPEM(data) {
		ca.Format = "pem"
	}
	certs, err := ParseChain(data)
	if err != nil || !anyParsed(certs) {
		// A file of random bytes can look like DER to a splitter; only a
		// certificate zcrypto can read counts as one here.
		return nil, fmt.Errorf("%s: %w", path, ErrNotCertificate)
	}
	for _, c := range certs {
		c.Source = SourceCAFile
	}
	ca.Certs = certs
	return ca, nil
}

// anyParsed reports whether at least one certificate parsed.
func anyParsed(certs []*Cert) bool {
	for _, c := range certs {
		if c.Parsed != nil {
			return true
		}
	}
	return false
}
