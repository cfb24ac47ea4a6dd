package chain_test

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
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

// BenchmarkParseChain is the offline path's parse of a chain file (the
// two-certificate bing-2019 example): zcrypto's lenient parse of each, as
// the first time a process sees them.
func BenchmarkParseChain(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "bing-2019.pem"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		chain.ForgetParsedCerts()
		if certs, err := chain.ParseChain(data); err != nil || len(certs) != 2 {
			b.Fatalf("ParseChain: %d certs, %v", len(certs), err)
		}
	}
}

// BenchmarkParseChainSeen is the same chain parsed again in the same
// process (a batch meeting a chain it has seen): the parsed certificates
// come from the memo.
func BenchmarkParseChainSeen(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "bing-2019.pem"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if certs, err := chain.ParseChain(data); err != nil || len(certs) != 2 {
			b.Fatalf("ParseChain: %d certs, %v", len(certs), err)
		}
	}
}

// BenchmarkFindStoreRoot finds the store root of the bing-2019
// intermediate (Baltimore, a retired root), after the one-time indexing: a
// lookup by AKI and issuer name and one signature check.
func BenchmarkFindStoreRoot(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "bing-2019.pem"))
	if err != nil {
		b.Fatal(err)
	}
	served, err := chain.ParseChain(data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if root := chain.FindStoreRoot(served[1]); root == nil || !chain.IsRetiredStoreRoot(root) {
			b.Fatalf("FindStoreRoot: %v", root)
		}
	}
}
