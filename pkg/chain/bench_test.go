package chain_test

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/certlint/certlint/pkg/chain"
)

// BenchmarkFetch measures one generic dial, TLS 1.3 handshake and chain
// parse against a loopback server.
func BenchmarkFetch(b *testing.B) {
	host, port := serveTLS(b, rsaChain("bench.test"), tls.VersionTLS10, tls.VersionTLS13)
	d := &chain.Dialer{Timeout: 5 * time.Second}
	b.ReportAllocs()
	for b.Loop() {
		if _, certs, err := d.Fetch(context.Background(), host, port, "bench.test"); err != nil || len(certs) != 3 {
			b.Fatalf("Fetch: %d certs, %v", len(certs), err)
		}
	}
}

// BenchmarkDialHello measures one device-hello dial (the CC3200 offer,
// negotiating TLS 1.2 CBC) against a loopback server.
func BenchmarkDialHello(b *testing.B) {
	host, port := serveTLS(b, rsaChain("bench.test"), tls.VersionTLS10, tls.VersionTLS12)
	d := &chain.Dialer{Timeout: 5 * time.Second}
	b.ReportAllocs()
	for b.Loop() {
		if res := d.DialHello(context.Background(), host, port, "bench.test", cc3200Spec); !res.Handshake.OK() {
			b.Fatalf("DialHello: %+v", res.Handshake)
		}
	}
}
