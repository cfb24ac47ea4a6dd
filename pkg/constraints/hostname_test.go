package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestHostname(t *testing.T) {
	k := pki()
	wipy := testProfile()
	wipy.Name, wipy.Trust.VerifiesHostname = "WiPy", boolp(false)
	unknown := testProfile()
	unknown.Trust.VerifiesHostname = nil
	noVerify := testProfile()
	noVerify.Name, noVerify.Trust.Model = "MicroPython", "none"
	named := func(name string) *chain.Observation {
		obs := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
		obs.ServerName = name
		return obs
	}
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"exact SAN passes", named("device.example.net"), testProfile(),
			[]want{{Severity: Pass, CertIndex: 0, Limit: "device.example.net", Contains: []string{"covers device.example.net"}}}},
		{"one-label wildcard passes", named("Eu.API.example.net."), testProfile(),
			[]want{{Severity: Pass, CertIndex: 0}}},
		{"a wildcard does not cover two labels", named("a.eu.api.example.net"), testProfile(),
			[]want{{Severity: Fail, CertIndex: 0, Contains: []string{"does not cover a.eu.api.example.net", "device.example.net, *.api.example.net"}}}},
		{"the CN is ignored when DNS SANs exist", named("other.example.net"), testProfile(),
			[]want{{Severity: Fail, CertIndex: 0, Fix: "other.example.net"}}},
		{"an IP name needs an IP SAN", named("192.0.2.7"), testProfile(),
			[]want{{Severity: Fail, CertIndex: 0}}},
		{"a device that verifies nothing warns even on a wrong name", named("other.example.org"), noVerify,
			[]want{{Severity: Warn, CertIndex: -1, Contains: []string{"MicroPython does not verify", "any name on the leaf is accepted"}}}},
		{"seed 003: WiPy checks no host name", named("192.0.2.7"), wipy,
			[]want{{Severity: Pass, CertIndex: -1, Contains: []string{"WiPy checks no host name"}}}},
		{"no name skips", named(""), testProfile(),
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no name to verify: pass --servername"}}}},
		{"unknown behaviour and a covered name passes, saying it is unknown", named("device.example.net"), unknown,
			[]want{{Severity: Pass, CertIndex: 0, Contains: []string{"covers device.example.net", "is unknown"}}}},
		{"unknown behaviour and a name the leaf does not cover warns", named("other.example.org"), unknown,
			[]want{{Severity: Warn, CertIndex: 0, Contains: []string{"does not cover other.example.org", "whether SPWF04Sx checks the host name is unknown", "refuses"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "hostname").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

func TestMatchesNameCNAndIP(t *testing.T) {
	cnOnly := &chain.Cert{CommonName: "legacy.example.net"}
	withIP := &chain.Cert{CommonName: "192.0.2.7", IPAddresses: []string{"192.0.2.8"}}
	cases := []struct {
		c    *chain.Cert
		name string
		want bool
	}{
		{cnOnly, "legacy.example.net", true},
		{cnOnly, "x.legacy.example.net", false},
		{withIP, "192.0.2.8", true},
		{withIP, "192.0.2.7", false}, // an IP is never matched against the CN
		{&chain.Cert{DNSNames: []string{"*."}}, "a.", false},
	}
	for _, c := range cases {
		if got := matchesName(c.c, c.name); got != c.want {
			t.Errorf("matchesName(%v, %q) = %v, want %v", c.c.DNSNames, c.name, got, c.want)
		}
	}
}
