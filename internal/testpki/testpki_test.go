package testpki

import (
	"testing"

	zx509 "github.com/zmap/zcrypto/x509"
)

func TestChainShapes(t *testing.T) {
	root := Root(Spec{CN: "Test Root", NoSKI: true})
	if len(root.Cert.SubjectKeyId) != 0 {
		t.Fatalf("root has SKI %x, want none", root.Cert.SubjectKeyId)
	}
	inter := root.Intermediate(Spec{CN: "Test CA"})
	leaf := inter.Leaf(Spec{CN: "big.example", DNSNames: ManyNames("big.example", 120)})
	if n := len(leaf.DER); n < 3500 {
		t.Errorf("leaf with 120 SANs is %d bytes, want > 3500", n)
	}
	if err := leaf.Cert.CheckSignatureFrom(inter.Cert); err != nil {
		t.Errorf("leaf not signed by intermediate: %v", err)
	}
	if err := inter.Cert.CheckSignatureFrom(root.Cert); err != nil {
		t.Errorf("intermediate not signed by root: %v", err)
	}
	if _, err := zx509.ParseCertificate(root.DER); err != nil {
		t.Errorf("zcrypto cannot parse root: %v", err)
	}
}
