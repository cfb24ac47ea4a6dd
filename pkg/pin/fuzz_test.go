package pin

import (
	"testing"

	"github.com/certlint/certlint/internal/testpki"
)

// FuzzParse feeds arbitrary text to Parse, which reads what users paste
// and pins files from strangers: it may refuse it with a *pin.Error, never
// panic, and a pin it accepts must have a value of its kind's size.
func FuzzParse(f *testing.F) {
	leaf := testpki.Root(testpki.Spec{CN: "fuzz pin root"})
	for _, seed := range []string{
		"B8 4F 40 5C 7E 1A 2B 3C 4D 5E 6F 70 81 92 A3 B4 C5 D6 E7 F8",
		"b8:4f:40:5c:7e:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8",
		"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		`pin-sha256="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="`,
		"SHA1 Fingerprint=B8:4F",
		"spki-sha256:zz",
		"-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n",
		string(leaf.PEM()),
		string(leaf.DER),
		"\ufeff\x00\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := Parse(in, "fuzz")
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q) error %T, want *pin.Error", in, err)
			}
			return
		}
		size := map[Kind]int{CertSHA1: 20, CertSHA256: 32, SPKISHA256: 32, SHA256: 32}[p.Kind]
		if size != 0 && len(p.Value) != size || len(p.Value) == 0 {
			t.Fatalf("Parse(%q) = %s with %d bytes", in, p.Kind, len(p.Value))
		}
		_ = p.Matches(PublicKey, NewTarget([]byte(in)))
		_ = p.Name()
	})
}
