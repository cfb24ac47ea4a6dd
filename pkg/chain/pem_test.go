package chain

import (
	"bytes"
	"testing"

	"github.com/certlint/certlint/internal/testpki"
)

// TestEncodePEMRoundTrip: a saved chain reads back as the same certificates
// in the same order, and a hostile subject cannot break the comment line.
func TestEncodePEMRoundTrip(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "PEM Root"})
	inter := root.Intermediate(testpki.Spec{CN: "PEM CA\nfake: line\u202e"})
	leaf := inter.Leaf(testpki.Spec{CN: "pem.test", DNSNames: []string{"pem.test"}})
	served, err := ParseChain(testpki.Chain{leaf, inter}.DER())
	if err != nil {
		t.Fatal(err)
	}
	out := EncodePEM(served)
	back, err := ParseChain(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0].SHA256 != served[0].SHA256 || back[1].SHA256 != served[1].SHA256 {
		t.Fatalf("read back %d certificates, not the served chain in order", len(back))
	}
	if !bytes.HasPrefix(out, []byte("# 0 s:CN=pem.test, O=certlint test\n#   i:CN=PEM CA?fake: line?, O=certlint test\n-----BEGIN CERTIFICATE-----\n")) {
		t.Errorf("PEM starts with:\n%s", out[:120])
	}
}
