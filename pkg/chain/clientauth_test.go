package chain_test

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// mutualTLSCases are the four servers that ask for a client certificate:
// requiring one or only asking, over TLS 1.2 and TLS 1.3.
var mutualTLSCases = []struct {
	name    string
	auth    tls.ClientAuthType
	version uint16
}{
	{"TLS 1.2 requires", tls.RequireAnyClientCert, tls.VersionTLS12},
	{"TLS 1.2 asks", tls.RequestClientCert, tls.VersionTLS12},
	{"TLS 1.3 requires", tls.RequireAnyClientCert, tls.VersionTLS13},
	{"TLS 1.3 asks", tls.RequestClientCert, tls.VersionTLS13},
}

// serveMutualTLS starts a crypto/tls server sending ch that asks for a
// client certificate as auth says, up to version maxV.
func serveMutualTLS(t testing.TB, ch testpki.Chain, auth tls.ClientAuthType, maxV uint16) (string, int) {
	t.Helper()
	return splitAddr(t, testpki.Serve(t, &tls.Config{
		Certificates: []tls.Certificate{ch.TLSCertificate()}, MaxVersion: maxV, ClientAuth: auth,
	}))
}

// TestFetchMutualTLS: a server that asks for a client certificate, or
// requires one, still yields its chain and what was negotiated; certlint
// never sends a certificate of its own.
func TestFetchMutualTLS(t *testing.T) {
	ch := rsaChain("server.test")
	for _, tc := range mutualTLSCases {
		t.Run(tc.name, func(t *testing.T) {
			host, port := serveMutualTLS(t, ch, tc.auth, tc.version)
			var d chain.Dialer
			hs, certs, err := d.Fetch(context.Background(), host, port, "server.test")
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			assertServed(t, certs, ch)
			want := map[uint16]string{tls.VersionTLS12: "TLS1.2", tls.VersionTLS13: "TLS1.3"}[tc.version]
			if hs.Version != want || hs.Error != "" || hs.Failure != chain.FailureNone {
				t.Errorf("handshake %s, error %q (%s); want %s and no error", hs.Version, hs.Error, hs.Failure, want)
			}
		})
	}
}
