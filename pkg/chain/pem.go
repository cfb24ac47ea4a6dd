package chain

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"strings"
	"unicode"
)

// EncodePEM writes certificates as PEM, in the order given (served order
// for a chain as served), each block preceded by comment lines naming its
// position, subject and issuer, the way `openssl s_client -showcerts`
// prints them. The text outside the blocks is ignored when the file is
// read back (--chain FILE, openssl, most TLS libraries).
func EncodePEM(certs []*Cert) []byte {
	var b bytes.Buffer
	for i, c := range certs {
		fmt.Fprintf(&b, "# %d s:%s\n#   i:%s\n", i, printable(c.Subject), printable(c.Issuer))
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// printable keeps a comment line one line of plain text: control, format
// (bidi) and non-graphic runes become '?'.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) {
			return '?'
		}
		return r
	}, s)
}
