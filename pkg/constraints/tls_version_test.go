package constraints

import (
	"strings"
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestTLSVersion(t *testing.T) {
	k := pki()
	p := testProfile()
	wipy := testProfile()
	wipy.Name, wipy.TLS.Versions = "WiPy", []string{"tls1.0"}
	none := testProfile()
	none.TLS.Versions = nil
	online := func(p *Profile, hs chain.Handshake) *chain.Observation {
		obs := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
		obs.TLS = &chain.Handshake{Version: "TLS1.3", CipherSuite: "TLS_AES_128_GCM_SHA256"}
		return withHello(obs, p, hs, k.leaf, k.inter)
	}
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"the device's hello agrees TLS1.2",
			online(p, chain.Handshake{Version: "TLS1.2", CipherSuite: "TLS_RSA_WITH_AES_128_CBC_SHA"}), p,
			[]want{{Severity: Pass, CertIndex: -1, Limit: "TLS1.0–TLS1.2", Actual: "TLS1.2", Contains: []string{"agreed TLS1.2"}}}},
		{"a TLS1.3-only server refuses every version, the alert is quoted",
			online(p, chain.Handshake{Alert: "protocol_version", Failure: chain.AlertFailure("protocol_version", false), Error: "remote error: tls: protocol version not supported"}), p,
			[]want{{Severity: Fail, CertIndex: -1, Limit: "TLS1.0–TLS1.2",
				Contains: []string{"refused every version SPWF04Sx offers (TLS1.0–TLS1.2)", "alert protocol_version", "a current client gets TLS1.3"},
				Fix:      "enable TLS1.2"}}},
		{"seed 003: WiPy forced to TLSv1 is refused",
			online(wipy, chain.Handshake{Alert: "protocol_version", Failure: chain.AlertFailure("protocol_version", false)}), wipy,
			[]want{{Severity: Fail, CertIndex: -1, Limit: "TLS1.0", Fix: "enable TLS1.0"}}},
		{"a version the device did not offer fails",
			online(wipy, chain.Handshake{Version: "TLS1.2"}), wipy,
			[]want{{Severity: Fail, CertIndex: -1, Actual: "TLS1.2", Contains: []string{"does not offer"}}}},
		{"error text that mentions versions does not decide: the failure kind does",
			online(p, chain.Handshake{Error: "handshake failed: unsupported protocol version 0x0304", Failure: chain.FailureLocal}), p,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"cipher-suite"}}}},
		{"a failure that is not about versions skips to cipher-suite",
			online(p, chain.Handshake{Alert: "handshake_failure", Failure: chain.AlertFailure("handshake_failure", false)}), p,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"cipher-suite"}}}},
		{"offline skips and lists the offered versions",
			observe(chainOf(k.leaf), nil, ""), p,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no handshake: offline chain; versions the device offers: TLS1.0–TLS1.2"}}}},
		{"no versions in the profile skips", online(none, chain.Handshake{Version: "TLS1.2"}), none,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"lists no TLS versions"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "tls-version").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

func TestVersionRange(t *testing.T) {
	for in, want := range map[string]string{
		"tls1.0,tls1.1,tls1.2": "TLS1.0–TLS1.2",
		"tls1.2,tls1.0":        "TLS1.2, TLS1.0",
		"tls1.0":               "TLS1.0",
		"ssl3.0,tls1.2":        "SSL3.0, TLS1.2",
	} {
		if got := versionRange(strings.Split(in, ",")); got != want {
			t.Errorf("versionRange(%s) = %q, want %q", in, got, want)
		}
	}
}
