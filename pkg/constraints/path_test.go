package constraints

import (
	"strings"
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

// TestDemoteUnused: a failure on a certificate the device does not use is
// a warning that says so, unless the profile says the device validates
// every certificate it receives; a certificate on the path keeps its
// failure.
func TestDemoteUnused(t *testing.T) {
	fail := Finding{Severity: Fail, Message: "certificate #2 expired"}
	cases := []struct {
		name     string
		unused   bool
		validate *bool
		want     Severity
		says     string
	}{
		{"on the path", false, nil, Fail, "expired"},
		{"off the path, unknown", true, nil, Warn, "whether SPWF04Sx validates certificates it does not use is unknown"},
		{"off the path, ignored", true, boolp(false), Warn, "receives it but does not use it"},
		{"off the path, validated anyway", true, boolp(true), Fail, "validates every certificate it receives"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := testProfile()
			p.Trust.ValidatesUnused = c.validate
			got := demoteUnused(fail, pathCert{cert: &chain.Cert{}, unused: c.unused}, p)
			if got.Severity != c.want || !strings.Contains(got.Message, c.says) {
				t.Errorf("%s: %q, want %s saying %q", got.Severity, got.Message, c.want, c.says)
			}
		})
	}
}

// TestPathRulesDefaults: unknown path behaviour resolves to what most
// stacks do, and the profile's known values win.
func TestPathRulesDefaults(t *testing.T) {
	p := testProfile()
	p.Trust.PathOrder, p.Trust.AnchorMatch, p.Trust.StopsAtFirstHeldIssuer = "unknown", "", nil
	r := p.PathRules()
	if r.Order != chain.OrderAny || r.Match != chain.MatchDNKey || !r.StopsAtFirstHeldIssuer || p.orderKnown() {
		t.Errorf("unknown behaviour resolved to %+v (order known %v)", r, p.orderKnown())
	}
	p.Trust.PathOrder, p.Trust.AnchorMatch, p.Trust.StopsAtFirstHeldIssuer = "strict", "ski", boolp(false)
	p.Trust.AcceptsIntermediateAnchor = true
	r = p.PathRules()
	if r.Order != chain.OrderStrict || r.Match != chain.MatchSKI || r.StopsAtFirstHeldIssuer || !r.IntermediateAnchor || !p.orderKnown() {
		t.Errorf("profile values not taken: %+v", r)
	}
}
