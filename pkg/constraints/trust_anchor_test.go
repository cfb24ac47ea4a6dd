package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestTrustAnchor(t *testing.T) {
	k := pki()
	bing := realCerts(t, "bing-2019.pem") // www.bing.com + Microsoft IT TLS CA 2
	baltimore := realCerts(t, "baltimore.pem")[0]
	withCA := func(obs *chain.Observation, f *chain.CAFile) *chain.Observation {
		obs.CAFiles = []*chain.CAFile{f}
		return obs
	}
	none := testProfile()
	none.Trust.Model = "none"
	store := testProfile()
	store.Trust.Model = "builtin-store"
	intermediateOK := testProfile()
	intermediateOK.Trust.AcceptsIntermediateAnchor = true
	// refusesCited: a source says the device refuses an intermediate
	// anchor (SPWF04Sx, seed 001); testProfile() cites none.
	refusesCited := func() *Profile {
		p := testProfile()
		p.Sources["trust.accepts_intermediate_anchor"] = []SourceRef{{Ref: "seed 001", Confidence: "field-report"}}
		return p
	}
	refusesUnknown := testProfile()
	refusesUnknown.Sources["trust.accepts_intermediate_anchor"] = []SourceRef{{Ref: "searched the vendor's guide", Confidence: "unknown"}}
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"seed 001: an intermediate loaded instead of the root fails and names Baltimore",
			withCA(observe(bing, bing[1], chain.SourceCAFile), caFileOf("pem", bing[1])), refusesCited(),
			[]want{{Severity: Fail, CertIndex: -1, Limit: chain.NewCert(baltimore.DER).Subject,
				Contains: []string{"CN=Microsoft IT TLS CA 2", "an intermediate", "Baltimore CyberTrust Root"},
				Fix:      "load the root CN=Baltimore CyberTrust Root, OU=CyberTrust, O=Baltimore, C=IE (SKI e59d5930824758ccacfa085436867b3ab5044df0, 891 bytes DER) instead of Microsoft IT TLS CA 2"}}},
		{"the root of the intermediate in the CA file is unknown: name its issuer and AKI",
			withCA(observe(chainOf(k.leafUnder4096, k.inter4096), k.inter4096, chain.SourceCAFile), caFileOf("der", k.inter4096)), refusesCited(),
			[]want{{Severity: Fail, CertIndex: -1, Fix: "load the root that issued Test TLS CA 4: CN=Test Root CA"}}},
		{"no source says the device refuses an intermediate anchor: the same advice, as a warning",
			withCA(observe(bing, bing[1], chain.SourceCAFile), caFileOf("pem", bing[1])), refusesUnknown,
			[]want{{Severity: Warn, CertIndex: -1, Limit: chain.NewCert(baltimore.DER).Subject,
				Contains: []string{"CN=Microsoft IT TLS CA 2", "an intermediate", "accepts an intermediate as its anchor is unknown", "load the root that issued it, CN=Baltimore CyberTrust Root"},
				Fix:      "load the root CN=Baltimore CyberTrust Root"}}},
		{"an intermediate anchor passes where the device accepts one",
			withCA(observe(chainOf(k.leafUnder4096, k.inter4096), k.inter4096, chain.SourceCAFile), caFileOf("der", k.inter4096)), intermediateOK,
			[]want{{Severity: Pass, CertIndex: -1, Contains: []string{"accepts an intermediate"}}}},
		{"the root in the CA file passes",
			withCA(observe(bing, baltimore, chain.SourceCAFile), caFileOf("der", baltimore)), testProfile(),
			[]want{{Severity: Pass, CertIndex: -1, Contains: []string{"root CN=Baltimore CyberTrust Root", "anchors the chain"}}}},
		{"an unrelated CA file fails and names the root that anchors the chain",
			withCA(observe(bing, baltimore, chain.SourceStore), caFileOf("pem", k.otherRoot)), testProfile(),
			[]want{{Severity: Fail, CertIndex: -1, Contains: []string{"CN=Unrelated Root", "anchors none of the served certificates"}, Fix: "SKI e59d5930824758ccacfa085436867b3ab5044df0"}}},
		{"without --ca the root to hold is named with SKI and size",
			observe(bing, baltimore, chain.SourceStore), testProfile(),
			[]want{{Severity: Pass, CertIndex: 2, Contains: []string{"device must hold CN=Baltimore CyberTrust Root", "SKI e59d5930824758ccacfa085436867b3ab5044df0, 891 bytes DER", "--ca"},
				Fix: "as e59d5930824758ccacfa085436867b3ab5044df0.ca"}}},
		{"without --ca and without an anchor it fails",
			observe(chainOf(k.leaf, k.inter), nil, ""), testProfile(),
			[]want{{Severity: Fail, CertIndex: -1, Contains: []string{"no known root anchors this chain; pass the device's CA with --ca"}}}},
		{"no verification warns", observe(chainOf(k.leaf), nil, ""), none,
			[]want{{Severity: Warn, CertIndex: -1, Contains: []string{"does not verify", "impersonate"}}}},
		{"built-in store: a store root passes", observe(bing, baltimore, chain.SourceStore), store,
			[]want{{Severity: Pass, CertIndex: 2}}},
		{"built-in store: a private served root fails", observe(chainOf(k.leaf, k.inter, k.root), k.root, chain.SourceServed), store,
			[]want{{Severity: Fail, CertIndex: 2, Contains: []string{"not a widely trusted root"}}}},
		{"built-in store: no anchor fails", observe(chainOf(k.leaf), nil, ""), store,
			[]want{{Severity: Fail, CertIndex: -1}}},
		{"no trust model skips", observe(chainOf(k.leaf), nil, ""), &Profile{Name: "X"},
			[]want{{Severity: Skip, CertIndex: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "trust-anchor").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}
