package chain_test

import (
	"context"
	"crypto/tls"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// exactSpec is a device whose whole ClientHello is known, modelled on
// MicroPython's axTLS client (devices.md §5a: four RSA suites, TLS 1.2 hello,
// signature_algorithms with SHA-512…SHA-1 over RSA, SNI), plus the extensions
// certlint must be able to write itself (max_fragment_length) or through
// zcrypto (renegotiation_info, session_ticket, extended_master_secret).
var exactSpec = chain.HelloSpec{
	Versions: []string{"tls1.0", "tls1.1", "tls1.2"},
	CipherSuites: []string{
		"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256",
		"TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA256",
	},
	Curves:              []string{"secp256r1"},
	SNI:                 true,
	HelloVersion:        "tls1.2",
	Compression:         []string{"null"},
	Extensions:          []string{"signature_algorithms", "server_name", "max_fragment_length", "supported_groups", "ec_point_formats", "renegotiation_info", "session_ticket", "extended_master_secret"},
	SignatureAlgorithms: []string{"rsa_pkcs1_sha512", "rsa_pkcs1_sha384", "rsa_pkcs1_sha256", "rsa_pkcs1_sha1"},
	MaxFragmentLength:   1024,
	Exact:               true,
}

// captureHello dials a raw listener with spec and returns the ClientHello
// record certlint sent, parsed.
func captureHello(t *testing.T, spec chain.HelloSpec, serverName string) (*chain.ParsedHello, *chain.HelloResult) {
	t.Helper()
	records := make(chan []byte, 1)
	addr := rawServer(t, func(c net.Conn) { records <- readRecord(c) })
	host, port := splitAddr(t, addr)
	res := (&chain.Dialer{Timeout: time.Second}).DialHello(context.Background(), host, port, serverName, spec)
	var rec []byte
	select {
	case rec = <-records:
	case <-time.After(5 * time.Second):
		t.Fatal("no ClientHello received")
	}
	hello, err := chain.ParseClientHello(rec)
	if err != nil {
		t.Fatalf("ParseClientHello(%x): %v", rec, err)
	}
	return hello, res
}

func TestExactHelloBytes(t *testing.T) {
	hello, res := captureHello(t, exactSpec, "device.test")
	if !res.Exact || len(res.Approximations) != 0 {
		t.Errorf("result Exact=%t approximations %v: want an exact replay", res.Exact, res.Approximations)
	}
	if hello.HelloVersion != tls.VersionTLS12 || hello.RecordVersion != tls.VersionTLS10 {
		t.Errorf("versions: hello 0x%04x record 0x%04x, want 0x0303 in a 0x0301 record", hello.HelloVersion, hello.RecordVersion)
	}
	if got := suiteNames(hello.CipherSuites); !slices.Equal(got, exactSpec.CipherSuites) {
		t.Errorf("suites on the wire %v, want exactly %v in order", got, exactSpec.CipherSuites)
	}
	if !slices.Equal(hello.Compression, []uint8{0}) {
		t.Errorf("compression %v, want [0] (null)", hello.Compression)
	}
	var exts []string
	for _, id := range hello.Extensions {
		exts = append(exts, chain.ExtensionName(id))
	}
	if !slices.Equal(exts, exactSpec.Extensions) {
		t.Errorf("extensions on the wire %v, want exactly %v in order", exts, exactSpec.Extensions)
	}
	var algs []string
	for _, id := range hello.SignatureAlgorithms {
		algs = append(algs, chain.SignatureAlgorithmName(id))
	}
	if !slices.Equal(algs, exactSpec.SignatureAlgorithms) {
		t.Errorf("signature_algorithms %v, want %v", algs, exactSpec.SignatureAlgorithms)
	}
	if hello.ServerName != "device.test" || !slices.Equal(hello.Groups, []uint16{23}) {
		t.Errorf("SNI %q groups %v, want device.test and [23] (secp256r1)", hello.ServerName, hello.Groups)
	}
}

func TestExactHelloWithoutSNI(t *testing.T) {
	spec := exactSpec
	spec.SNI = false
	spec.Extensions = []string{"signature_algorithms"}
	hello, res := captureHello(t, spec, "device.test")
	if !res.Exact || len(hello.Extensions) != 1 || hello.Extensions[0] != 13 || hello.ServerName != "" {
		t.Errorf("exact=%t extensions %v SNI %q: want only signature_algorithms", res.Exact, hello.Extensions, hello.ServerName)
	}
	spec.Extensions = nil
	hello, res = captureHello(t, spec, "device.test")
	if !res.Exact || len(hello.Extensions) != 0 {
		t.Errorf("exact=%t extensions %v: a device with no extensions must send none", res.Exact, hello.Extensions)
	}
}

// TestApproximatedHello checks the fallback: a hello the profile knows only
// in part keeps the device's versions and suites and says that zcrypto's
// own extensions went out.
func TestApproximatedHello(t *testing.T) {
	hello, res := captureHello(t, cc3200Spec, "device.test")
	if res.Exact || len(res.Approximations) == 0 || !strings.Contains(res.Approximations[0], "hello_known") {
		t.Errorf("Exact=%t approximations %v: want the fallback named", res.Exact, res.Approximations)
	}
	if got := suiteNames(hello.CipherSuites); !slices.Equal(got, cc3200Spec.CipherSuites) {
		t.Errorf("suites %v, want the device's %v", got, cc3200Spec.CipherSuites)
	}
	if hello.HelloVersion != tls.VersionTLS12 || hello.ServerName != "" {
		t.Errorf("hello version 0x%04x SNI %q: want TLS 1.2 and no SNI", hello.HelloVersion, hello.ServerName)
	}
	spec := exactSpec
	spec.RecordVersion, spec.Compression = "tls1.2", []string{"deflate", "null"}
	hello, res = captureHello(t, spec, "device.test")
	joined := strings.Join(res.Approximations, "; ")
	if !res.Exact || strings.Contains(joined, "record version") || !strings.Contains(joined, "compression") {
		t.Errorf("approximations %q: want only the compression zcrypto cannot send named", joined)
	}
	if hello.RecordVersion != tls.VersionTLS12 {
		t.Errorf("record version on the wire 0x%04x, want the device's 0x0303", hello.RecordVersion)
	}
}

// TestExactHelloAgainstServers runs the exact hello against a Go server
// that records what it received (independent of certlint's parser) and
// checks the server's choice is recorded.
func TestExactHelloAgainstServers(t *testing.T) {
	rsa := rsaChain("exact.test")
	var seen *tls.ClientHelloInfo
	cbc := []uint16{tls.TLS_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA256}
	addr := testpki.Serve(t, &tls.Config{
		MinVersion: tls.VersionTLS10, CipherSuites: cbc,
		Certificates: []tls.Certificate{rsa.TLSCertificate()},
		GetConfigForClient: func(hi *tls.ClientHelloInfo) (*tls.Config, error) {
			seen = hi
			return nil, nil
		},
	})
	host, port := splitAddr(t, addr)
	res := (&chain.Dialer{Timeout: 5 * time.Second}).DialHello(context.Background(), host, port, "exact.test", exactSpec)
	if !res.Handshake.OK() || res.Handshake.Version != "TLS1.2" || !slices.Contains(suiteNames(cbc), res.Handshake.CipherSuite) {
		t.Fatalf("handshake %+v: want TLS1.2 with a CBC suite", res.Handshake)
	}
	assertServed(t, res.Chain, rsa)
	if seen == nil || seen.ServerName != "exact.test" || !slices.Equal(suiteNames(seen.CipherSuites), exactSpec.CipherSuites) {
		t.Fatalf("server saw %+v", seen)
	}
	var exts []string
	for _, id := range seen.Extensions {
		exts = append(exts, chain.ExtensionName(id))
	}
	if !slices.Equal(exts, exactSpec.Extensions) {
		t.Errorf("Go server saw extensions %v, want %v", exts, exactSpec.Extensions)
	}

	gcmOnly := testpki.Serve(t, &tls.Config{
		MinVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
		Certificates: []tls.Certificate{rsa.TLSCertificate()},
	})
	host, port = splitAddr(t, gcmOnly)
	res = (&chain.Dialer{Timeout: 5 * time.Second}).DialHello(context.Background(), host, port, "exact.test", exactSpec)
	if res.Handshake.OK() || res.Handshake.Alert != "handshake_failure" || !strings.Contains(res.Handshake.Error, "handshake_failure") {
		t.Errorf("GCM-only server: handshake %+v, want a refusal quoting handshake_failure", res.Handshake)
	}
}

func TestParseClientHelloRejectsGarbage(t *testing.T) {
	for _, in := range [][]byte{nil, {22, 3, 1}, {22, 3, 1, 0, 4, 1, 0, 0, 9}, {23, 3, 3, 0, 0}, []byte("GET / HTTP/1.0\r\n\r\n")} {
		if _, err := chain.ParseClientHello(in); err == nil {
			t.Errorf("ParseClientHello(%q) = nil error", in)
		}
	}
}

func FuzzParseClientHello(f *testing.F) {
	f.Add([]byte{22, 3, 1, 0, 4, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = chain.ParseClientHello(b) })
}
