package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestCipherSuite(t *testing.T) {
	k := pki()
	p := testProfile()
	none := testProfile()
	none.TLS.CipherSuites = nil
	online := func(p *Profile, hs chain.Handshake) *chain.Observation {
		obs := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
		obs.TLS = &chain.Handshake{Version: "TLS1.2", CipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}
		return withHello(obs, p, hs, k.leaf, k.inter)
	}
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"the server picks an offered suite",
			online(p, chain.Handshake{Version: "TLS1.2", CipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"}), p,
			[]want{{Severity: Pass, CertIndex: -1, Actual: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", Contains: []string{"from the 4 suites SPWF04Sx offers"}}}},
		{"a GCM-only server refuses the CBC suites the device offers",
			online(p, chain.Handshake{Alert: "handshake_failure", Failure: chain.AlertFailure("handshake_failure", false), Error: "remote error: tls: handshake failure"}), p,
			[]want{{Severity: Fail, CertIndex: -1, Actual: "none (alert handshake_failure)",
				Contains: []string{"accepts none of the 4 cipher suites SPWF04Sx offers: alert handshake_failure", "a current client gets TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
				Fix:      "TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 (and 1 more)"}}},
		{"insufficient_security is a refusal too",
			online(p, chain.Handshake{Alert: "insufficient_security", Failure: chain.AlertFailure("insufficient_security", false)}), p,
			[]want{{Severity: Fail, CertIndex: -1}}},
		{"a suite the device did not offer fails",
			online(p, chain.Handshake{Version: "TLS1.2", CipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}), p,
			[]want{{Severity: Fail, CertIndex: -1, Actual: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Contains: []string{"did not offer"}}}},
		{"a version refusal skips to tls-version",
			online(p, chain.Handshake{Alert: "protocol_version", Failure: chain.AlertFailure("protocol_version", false)}), p,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"tls-version"}}}},
		{"another handshake failure warns",
			online(p, chain.Handshake{Error: "read tcp: connection reset by peer"}), p,
			[]want{{Severity: Warn, CertIndex: -1, Contains: []string{"connection reset"}}}},
		{"offline skips", observe(chainOf(k.leaf), nil, ""), p,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no handshake: offline chain", "4 cipher suites"}}}},
		{"no suite list skips", online(none, chain.Handshake{Version: "TLS1.2"}), none,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"lists no cipher suites"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "cipher-suite").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}
