package chain_test

import (
	"context"
	stdx509 "crypto/x509"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/hostile"
	"github.com/certlint/certlint/pkg/chain"
)

// hostileTimeout is the Dialer timeout of the hostile-server tests, and
// boundSlack how far past it a Fetch may end before the test calls it
// unbounded. The slack is generous on purpose: this proves a bound, it does
// not measure speed.
const (
	hostileTimeout = 3 * time.Second
	boundSlack     = 5 * time.Second
)

// startHostile starts a hostile server for the test's lifetime.
func startHostile(t *testing.T, mode string) (string, int) {
	t.Helper()
	s, err := hostile.Start(mode)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return splitAddr(t, s.Addr)
}

// boundedFetch runs Fetch against a hostile server and fails the test when
// it outlives the timeout by more than boundSlack, or when it allocates
// more than maxAlloc bytes in total.
func boundedFetch(t *testing.T, mode string, maxAlloc uint64) (*chain.Handshake, []*chain.Cert, error) {
	t.Helper()
	host, port := startHostile(t, mode)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	hs, certs, err := (&chain.Dialer{Timeout: hostileTimeout}).Fetch(context.Background(), host, port, mode+".test")
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	t.Logf("%s: %v, %d certs, err=%v, %.1f MB allocated", mode, took.Round(time.Millisecond), len(certs), err,
		float64(after.TotalAlloc-before.TotalAlloc)/1e6)
	if took > hostileTimeout+boundSlack {
		t.Errorf("%s: Fetch took %v, want at most the timeout %v plus %v", mode, took, hostileTimeout, boundSlack)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
		t.Errorf("%s: Fetch allocated %d bytes, want at most %d", mode, alloc, maxAlloc)
	}
	if hs == nil {
		t.Fatalf("%s: Fetch returned a nil Handshake", mode)
	}
	return hs, certs, err
}

// wantHandshakeError requires a *HandshakeError whose message says want.
func wantHandshakeError(t *testing.T, mode string, hs *chain.Handshake, err error, want ...string) *chain.HandshakeError {
	t.Helper()
	var he *chain.HandshakeError
	if !errors.As(err, &he) {
		t.Fatalf("%s: error %T %v, want a *HandshakeError", mode, err, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not say %q", mode, err, w)
		}
	}
	if hs.Error == "" {
		t.Errorf("%s: Handshake.Error is empty", mode)
	}
	return he
}

const mb = 1 << 20

func TestHostileSilentServer(t *testing.T) {
	hs, _, err := boundedFetch(t, "silent", 8*mb)
	wantHandshakeError(t, "silent", hs, err, "timed out waiting for the server to answer the ClientHello")
}

func TestHostileRandomBytes(t *testing.T) {
	hs, _, err := boundedFetch(t, "random", 8*mb)
	he := wantHandshakeError(t, "random", hs, err, "not a TLS server")
	if !errors.Is(he, chain.ErrNotTLS) {
		t.Errorf("error %v does not wrap ErrNotTLS", he)
	}
}

func TestHostileResetAtOnce(t *testing.T) {
	hs, _, err := boundedFetch(t, "reset", 8*mb)
	wantHandshakeError(t, "reset", hs, err, "reset")
}

func TestHostileDripIsBoundedByTheTotalTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the dial timeout")
	}
	// One byte every two seconds: a per-read timeout of 3 s never fires;
	// only a deadline on the whole handshake ends this.
	hs, _, err := boundedFetch(t, "drip", 8*mb)
	wantHandshakeError(t, "drip", hs, err, "timed out", "answering too slowly")
}

func TestHostileAlert(t *testing.T) {
	hs, _, err := boundedFetch(t, "alert", 8*mb)
	wantHandshakeError(t, "alert", hs, err, "server sent TLS alert handshake_failure")
	if hs.Alert != "handshake_failure" {
		t.Errorf("Handshake.Alert = %q, want handshake_failure", hs.Alert)
	}
}

func TestHostileHugeHandshakeHeader(t *testing.T) {
	// The server announces a 16 MiB Certificate message and streams zeros:
	// certlint reads on past zcrypto's 64 KiB, sees at once that the
	// certificate list is malformed, and stops without reading (or
	// allocating) the 16 MiB.
	hs, _, err := boundedFetch(t, "hugeheader", 8*mb)
	he := wantHandshakeError(t, "hugeheader", hs, err, "16777215-byte Certificate message", "malformed")
	if !errors.Is(he, chain.ErrHandshakeTooLarge) {
		t.Errorf("error %v does not wrap ErrHandshakeTooLarge", he)
	}
}

func TestHostileBigChainIsReadWhole(t *testing.T) {
	// 300 certificates, ~350 KB, in one Certificate message: more than
	// zcrypto takes in one message (64 KiB). certlint reads it with its
	// record reader (as it reads every TLS 1.2 first flight), keeps the
	// first 64 certificates and counts all 300.
	hs, certs, err := boundedFetch(t, "bigchain", 32*mb)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(certs) != chain.MaxChainCerts {
		t.Errorf("got %d certificates, want the first %d", len(certs), chain.MaxChainCerts)
	}
	m := hs.Certificate
	if m == nil || m.Certs != hostile.BigChainCerts || m.Bytes != 3+3*m.Certs+m.DERBytes || len(m.Records) < 2 {
		t.Fatalf("Handshake.Certificate = %+v, want all %d certificates counted and the records seen", m, hostile.BigChainCerts)
	}
	for i, c := range certs {
		if c.Index != i || c.ParseError != "" {
			t.Errorf("certificate #%d: index %d, parse error %q", i, c.Index, c.ParseError)
		}
	}
	notes := strings.Join(hs.Notes, "\n")
	// The hostile server speaks TLS 1.3, where the message is encrypted:
	// the chain comes from a second handshake limited to TLS 1.2.
	for _, want := range []string{"300 certificates", "only the first 64 were examined", "second handshake limited to TLS 1.2"} {
		if !strings.Contains(notes, want) {
			t.Errorf("Handshake.Notes = %q, want %q", hs.Notes, want)
		}
	}
}

func TestHostileLongChainIsCappedAndSaysSo(t *testing.T) {
	hs, certs, err := boundedFetch(t, "longchain", 64*mb)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(certs) != chain.MaxChainCerts {
		t.Errorf("got %d certificates, want the first %d of %d", len(certs), chain.MaxChainCerts, hostile.LongChainCerts)
	}
	if !hs.OK() {
		t.Errorf("handshake %+v, want it completed", *hs)
	}
	if m := hs.Certificate; m == nil || m.Certs != hostile.LongChainCerts {
		t.Errorf("Handshake.Certificate = %+v, want all %d certificates counted", m, hostile.LongChainCerts)
	}
	if len(hs.Notes) == 0 || !strings.Contains(strings.Join(hs.Notes, "\n"), "100 certificates") {
		t.Errorf("Handshake.Notes = %q, want a note that the 100-certificate chain was capped", hs.Notes)
	}
}

func TestHostileCertificateOnlyZcryptoParses(t *testing.T) {
	hs, certs, err := boundedFetch(t, "zcryptoonly", 16*mb)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(certs) != 3 {
		t.Fatalf("got %d certificates, want 3", len(certs))
	}
	odd := certs[1]
	if odd.Parsed == nil || odd.CommonName != "hostile negative-serial CA" {
		t.Errorf("certificate #1: Parsed %v CN %q ParseError %q; want zcrypto to read it", odd.Parsed != nil, odd.CommonName, odd.ParseError)
	}
	if _, err := stdx509.ParseCertificate(odd.Raw); err == nil {
		t.Errorf("crypto/x509 parses certificate #1; the test needs one only zcrypto reads")
	}
	if hs.Error != "" {
		t.Errorf("handshake error %q, want none", hs.Error)
	}
}

func TestHostileCertificateNeitherParserReads(t *testing.T) {
	_, certs, err := boundedFetch(t, "junkcert", 16*mb)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(certs) != 2 || certs[1].ParseError == "" || certs[1].DERBytes() != len(hostile.JunkCert()) {
		t.Fatalf("certs = %v; want the leaf and the %d junk bytes kept with a ParseError", certs, len(hostile.JunkCert()))
	}
}

func TestNoApplicationDataAfterHandshake(t *testing.T) {
	s, err := hostile.Start("record")
	if err != nil {
		t.Fatal(err)
	}
	host, port := splitAddr(t, s.Addr)
	d := &chain.Dialer{Timeout: hostileTimeout}
	if _, _, err := d.Fetch(context.Background(), host, port, "record.test"); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	spec := chain.HelloSpec{Versions: []string{"tls1.2"}, CipherSuites: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, SNI: true}
	if res := d.DialHello(context.Background(), host, port, "record.test", spec); !res.Handshake.OK() {
		t.Fatalf("DialHello: %+v", res.Handshake)
	}
	s.WaitIdle(hostileTimeout) // the server has read all the client sent
	s.Close()
	if n := s.AppDataBytes(); n != 0 {
		t.Errorf("the server received %d bytes of application data; certlint must send none", n)
	}
}
