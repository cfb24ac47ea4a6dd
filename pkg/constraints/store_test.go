package constraints

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/certlint/certlint/pkg/chain"
)

// TestBuiltinStores loads every generated root-store list: the counts are
// those of the source bundles named in profiles/stores/README.md, and every
// root carries what membership and --until need.
func TestBuiltinStores(t *testing.T) {
	want := map[string]int{"nina-roots": 39, "esp-idf-bundle": 121, "esp-idf-4.4-bundle": 135}
	names := StoreNames()
	if len(names) != len(want) {
		t.Errorf("stores %v, want %d", names, len(want))
	}
	for _, name := range names {
		s, err := LoadStore(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Roots) != want[name] || s.Name != name || s.Source == "" || s.Update == "" {
			t.Errorf("%s: %d roots, source %q, update %q; want %d roots and both texts", name, len(s.Roots), s.Source, s.Update, want[name])
		}
		// The device's path is built over every root it holds: the embedded
		// store's copy, or the DER the list carries (regenerate the lists
		// when the embedded store changes).
		if n := s.Anchors().Len(); n != len(s.Roots) {
			t.Errorf("%s: %d of %d roots have a copy to build paths with", name, n, len(s.Roots))
		}
		for _, r := range s.Roots {
			if r.Subject == "" || len(r.SubjectSHA256) != 64 || len(r.SPKISHA256) != 64 || r.Expires().IsZero() {
				t.Errorf("%s: incomplete root %+v", name, r)
			}
		}
	}
	if _, err := LoadStore("nosuch"); err == nil {
		t.Error("an unknown store loads")
	}
}

// TestStoreMembership judges the 2019 bing.com chain (Microsoft IT TLS CA 2
// under Baltimore CyberTrust Root) against each device's real store:
// nina-fw and ESP-IDF 4.4 still hold Baltimore, today's ESP-IDF bundle
// does not (it left Mozilla's list when it expired in 2025).
func TestStoreMembership(t *testing.T) {
	k := pki()
	bing := realCerts(t, "bing-2019.pem")
	baltimore := realCerts(t, "baltimore.pem")[0]
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	bingObs := func() *chain.Observation {
		obs := observe(bing, baltimore, chain.SourceStore)
		obs.CheckedAt = at
		return obs
	}
	device := func(store string, verifiesTime bool) *Profile {
		p := testProfile()
		p.Name, p.Trust.Model, p.Trust.Store, p.Trust.VerifiesTime = "Board", "builtin-store", store, boolp(verifiesTime)
		return p
	}
	untilObs := bingObs()
	untilObs.Until = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"nina-fw holds Baltimore: the intermediate's issuer is in the store", bingObs(), device("nina-roots", false),
			[]want{{Severity: Pass, CertIndex: 2, Limit: "nina-roots", Actual: "CN=Baltimore CyberTrust Root, OU=CyberTrust, O=Baltimore, C=IE",
				Contains: []string{"the chain anchors at CN=Baltimore CyberTrust Root", "39 roots", "until 2025-05-12"}}}},
		{"today's ESP-IDF bundle does not hold Baltimore: the chain needs it", bingObs(), device("esp-idf-bundle", false),
			[]want{{Severity: Fail, CertIndex: -1, Actual: "CN=Baltimore CyberTrust Root, OU=CyberTrust, O=Baltimore, C=IE",
				Contains: []string{"this chain needs CN=Baltimore CyberTrust Root", "does not hold it", "121 roots"},
				Fix:      "CONFIG_MBEDTLS_CUSTOM_CERTIFICATE_BUNDLE"}}},
		{"ESP-IDF 4.4's bundle still holds it", bingObs(), device("esp-idf-4.4-bundle", false),
			[]want{{Severity: Pass, CertIndex: 2}}},
		{"an expired held root fails a device that checks dates", bingObs(), device("nina-roots", true),
			[]want{{Severity: Fail, CertIndex: 2, Contains: []string{"has expired"}, Fix: "arduino-fwuploader"}}},
		{"--until: a held root that ends before the service life warns", untilObs, device("nina-roots", false),
			[]want{{Severity: Warn, CertIndex: 2, Contains: []string{"expires before the end of service (--until 2030-01-01)"}, Fix: "before 2025-05-12"}}},
		{"a private root is in no store", observe(chainOf(k.leaf, k.inter), k.root, chain.SourceServed), device("nina-roots", false),
			[]want{{Severity: Fail, CertIndex: -1, Actual: "CN=Test Root CA, O=certlint test", Contains: []string{"this chain needs CN=Test Root CA"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "trust-anchor").Evaluate(tc.obs, tc.p), tc.wants)
		})
	}
}

// TestStoreIssuerOfNeedsTheKey: a certificate whose issuer name matches a
// stored root but whose Authority Key Identifier names another key is not
// anchored by that root (a re-keyed root under the same name).
func TestStoreIssuerOfNeedsTheKey(t *testing.T) {
	inter := chain.NewCert(realCerts(t, "bing-2019.pem")[1].DER)
	s, err := LoadStore("nina-roots")
	if err != nil {
		t.Fatal(err)
	}
	if s.IssuerOf(inter) == nil {
		t.Fatal("Baltimore not found for Microsoft IT TLS CA 2")
	}
	rekeyed := &RootStore{Name: s.Name, Roots: append([]StoreRoot(nil), s.Roots...)}
	sum := sha256.Sum256(inter.Parsed.RawIssuer)
	for i := range rekeyed.Roots {
		if rekeyed.Roots[i].SubjectSHA256 == hex.EncodeToString(sum[:]) {
			rekeyed.Roots[i].SKI = "00112233445566778899aabbccddeeff00112233"
		}
	}
	if rekeyed.IssuerOf(inter) != nil {
		t.Error("a root with the same name but another key anchors the chain")
	}
}
