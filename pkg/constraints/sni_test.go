package constraints

import (
	"testing"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

func TestSNI(t *testing.T) {
	k := pki()
	noSNI := testProfile()
	noSNI.Name, noSNI.TLS.SNI = "WiPy", boolp(false)
	noSNINoNames := testProfile()
	noSNINoNames.Name, noSNINoNames.TLS.SNI, noSNINoNames.Trust.VerifiesHostname = "WiPy", boolp(false), boolp(false)
	unknown := testProfile()
	unknown.TLS.SNI = nil
	// hello builds an online observation where the generic hello got
	// generic and the device's hello without SNI got deviceGot.
	hello := func(p *Profile, generic, deviceGot []*testpki.Cert) *chain.Observation {
		obs := observe(generic, nil, "")
		return withHello(obs, p, chain.Handshake{Version: "TLS1.2"}, deviceGot...)
	}
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"a device that sends SNI passes", observe(chainOf(k.leaf), nil, ""), testProfile(),
			[]want{{Severity: Pass, CertIndex: -1, Contains: []string{"SPWF04Sx sends SNI"}}}},
		{"without SNI the same leaf passes", hello(noSNI, chainOf(k.leaf, k.inter), chainOf(k.leaf, k.inter)), noSNI,
			[]want{{Severity: Pass, CertIndex: -1, Contains: []string{"WiPy sends no SNI and still gets certificate #0 (leaf, "}}}},
		{"a default certificate for another name fails and is named",
			hello(noSNI, chainOf(k.leaf, k.inter), chainOf(k.ecLeaf, k.ecInter)), noSNI,
			[]want{{Severity: Fail, CertIndex: -1, Actual: k.ecLeafSubject(),
				Contains: []string{"gets the server's default certificate", "CN=ec.example.net", "does not cover device.example.net"},
				Fix:      "default"}}},
		{"a default certificate that still covers the name warns",
			hello(noSNI, chainOf(k.sha1Leaf, k.inter), chainOf(k.leaf, k.inter)), noSNI,
			[]want{{Severity: Warn, CertIndex: -1, Contains: []string{"still covers device.example.net"}}}},
		{"a device that checks no names only warns",
			hello(noSNINoNames, chainOf(k.leaf, k.inter), chainOf(k.ecLeaf, k.ecInter)), noSNINoNames,
			[]want{{Severity: Warn, CertIndex: -1, Contains: []string{"WiPy checks no names"}}}},
		{"offline skips", observe(chainOf(k.leaf), nil, ""), noSNI,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no handshake: offline chain", "WiPy sends no SNI"}}}},
		{"unknown SNI behaviour skips", observe(chainOf(k.leaf), nil, ""), unknown,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"not known whether SPWF04Sx sends SNI"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "sni").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

func (k *testPKI) ecLeafSubject() string { return chain.NewCert(k.ecLeaf.DER).Subject }
