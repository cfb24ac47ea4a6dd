package chain

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseChain feeds arbitrary bytes to ParseChain, which reads files and
// pastes from strangers: it may refuse them, never panic.
func FuzzParseChain(f *testing.F) {
	for _, name := range []string{"bing-2019.pem", "bing-2019.der", "bing-2019.p7b", "bing-2019.p7b.der", "baltimore.der"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n"))
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Add([]byte("garbage \x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseChain(data)
		if err == nil && len(certs) == 0 {
			t.Fatal("no error and no certificates")
		}
		if len(certs) > MaxChainCerts {
			t.Fatalf("%d certificates exceed the cap", len(certs))
		}
		AssignRoles(certs)
		if len(certs) > 0 {
			_, _ = FindAnchor(certs, nil)
		}
	})
}
