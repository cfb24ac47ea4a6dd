package constraints

import (
	"strings"
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

// variant10 is the SPWF04Sx firmware 1.0.x variant as the loader builds
// it: the base profile with the 1.0 overrides and Variant set.
func variant10() *Profile {
	p := testProfile()
	p.Variant, p.Firmware, p.Variants = "1.0", "1.0.x", []string{"1.0"}
	p.Certificates.KeyTypes = []string{"rsa"}
	p.Certificates.RSAMaxBits = 2048
	return p
}

func TestKeySize(t *testing.T) {
	k := pki()
	minOnly := testProfile()
	minOnly.Certificates.RSAMinBits, minOnly.Certificates.RSAMaxBits = 3072, 0
	noLimits := testProfile()
	noLimits.Certificates.RSAMinBits, noLimits.Certificates.RSAMaxBits = 0, 0
	seed002 := chainOf(k.leafUnder4096, k.inter4096)
	// searched: the profile records the search for a limit that found none.
	searched := testProfile()
	searched.Certificates.RSAMinBits, searched.Certificates.RSAMaxBits = 0, 0
	searched.Sources = map[string][]SourceRef{"certificates.rsa_max_bits": {{Ref: "searched the vendor's guide", Confidence: "unknown"}}}
	// citedNone: a source says the device has no limit at 4,096 bits.
	citedNone := testProfile()
	citedNone.Certificates.RSAMinBits, citedNone.Certificates.RSAMaxBits = 0, 0
	citedNone.Sources = map[string][]SourceRef{"certificates.rsa_max_bits": {{Ref: "RSA-4096 intermediates worked", Confidence: "field-report"}}}
	noVerify := testProfile()
	noVerify.Certificates.RSAMinBits, noVerify.Certificates.RSAMaxBits = 0, 0
	noVerify.Trust.Model = "none"
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"seed 002: firmware 1.0 fails on the RSA-4096 intermediate #1 only",
			observe(seed002, k.root, chain.SourceStore), variant10(),
			[]want{
				{Severity: Pass, CertIndex: 0, Actual: 2048},
				{Severity: Fail, CertIndex: 1, Limit: 2048, Actual: 4096,
					Contains: []string{"certificate #1 (intermediate, ", "4,096 bits > 2,048 bits", "SPWF04Sx firmware 1.0.x"},
					Fix:      "firmware matters"},
				{Severity: Pass, CertIndex: 2},
			}},
		{"seed 002: newest firmware (rsa_max_bits 4096) passes the same chain",
			observe(seed002, k.root, chain.SourceStore), testProfile(),
			[]want{{Severity: Pass, CertIndex: 0}, {Severity: Pass, CertIndex: 1, Limit: 4096, Actual: 4096}, {Severity: Pass, CertIndex: 2}}},
		{"below the minimum fails",
			observe(chainOf(k.leaf), nil, ""), minOnly,
			[]want{{Severity: Fail, CertIndex: 0, Limit: 3072, Actual: 2048, Contains: []string{"2,048 bits < 3,072 bits"}}}},
		{"EC keys pass: RSA limits do not apply",
			observe(chainOf(k.ecLeaf), nil, ""), variant10(),
			[]want{{Severity: Pass, CertIndex: 0, Contains: []string{"no RSA key"}}}},
		{"no limits skip", observe(chainOf(k.leaf), nil, ""), noLimits,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no known RSA key size limits"}}}},
		{"limit unknown: the RSA-4096 intermediate warns, the 2,048-bit keys say nothing",
			observe(seed002, k.root, chain.SourceStore), searched,
			[]want{{Severity: Warn, CertIndex: 1, Actual: 4096,
				Contains: []string{"certificate #1 (intermediate, ", "4,096 bits", "is unknown", "stop at 2,048 bits"},
				Fix:      "at most 2,048 bits"}}},
		{"limit unknown and no citation at all: the same warning",
			observe(seed002, k.root, chain.SourceStore), noLimits,
			[]want{{Severity: Warn, CertIndex: 1, Actual: 4096}}},
		{"limit unknown, keys of 2,048 bits only: skip",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), searched,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no known RSA key size limits"}}}},
		{"a source for having no limit: skip, no warning",
			observe(seed002, k.root, chain.SourceStore), citedNone,
			[]want{{Severity: Skip, CertIndex: -1}}},
		{"a device that verifies nothing: skip",
			observe(seed002, k.root, chain.SourceStore), noVerify,
			[]want{{Severity: Skip, CertIndex: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "key-size").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

// TestKeySizeFixNamesNoDevice guards the rule that Go code names no
// device: the firmware hint comes from the profile's own fields.
func TestKeySizeFixNamesNoDevice(t *testing.T) {
	k := pki()
	p := variant10()
	p.ID, p.Name, p.Firmware = "acme-x", "Acme X", "0.9"
	f := checkByID(t, "key-size").Evaluate(observe(chainOf(k.leafUnder4096, k.inter4096), nil, ""), p)[1]
	for _, frag := range []string{"firmware 0.9", "certlint profiles show acme-x"} {
		if !strings.Contains(f.Fix, frag) {
			t.Errorf("fix %q lacks %q", f.Fix, frag)
		}
	}
	if strings.Contains(f.Fix+f.Message, "SPWF") {
		t.Errorf("finding names a device the profile did not: %q / %q", f.Message, f.Fix)
	}
}
