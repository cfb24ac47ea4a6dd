package chain_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// mutualTLSCases are the four servers that ask for a client certificate:
// requiring one or only asking, over TLS 1.2 and TLS 1.3.
var mutualTLSCases = []struct {
	name    string
	auth    tls.ClientAuthType
	version uint16
	policy  chain.ClientCertPolicy
	alert   string // the alert of a refusal; "any" for any alert
	note    string
}{
	// crypto/tls refuses an empty Certificate message in TLS 1.2 with a
	// TLS 1.2 alert of its choosing, in TLS 1.3 with certificate_required.
	{"TLS 1.2 requires", tls.RequireAnyClientCert, tls.VersionTLS12, chain.ClientCertRequired, "any", "the server requires a client certificate"},
	{"TLS 1.2 asks", tls.RequestClientCert, tls.VersionTLS12, chain.ClientCertOptional, "", "accepts a handshake without one"},
	{"TLS 1.3 requires", tls.RequireAnyClientCert, tls.VersionTLS13, chain.ClientCertRequired, "certificate_required", "the server requires a client certificate"},
	{"TLS 1.3 asks", tls.RequestClientCert, tls.VersionTLS13, chain.ClientCertOptional, "", "accepts a handshake without one"},
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
// never sends a certificate of its own, and the server's answer to none
// says whether it requires one (a refusal is not a handshake error: the
// chain came before it).
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
			if hs.Version != want || hs.Error != "" || hs.Failure != chain.FailureNone || hs.Alert != "" {
				t.Errorf("handshake %s, error %q (%s), alert %q; want %s and no error", hs.Version, hs.Error, hs.Failure, hs.Alert, want)
			}
			r := hs.ClientCert
			if r == nil {
				t.Fatal("ClientCert is nil, want the server's request")
			}
			if r.Policy != tc.policy || (r.Alert != "") != (tc.alert != "") || tc.alert != "any" && r.Alert != tc.alert {
				t.Errorf("ClientCert = %+v, want policy %s and alert %q", *r, tc.policy, tc.alert)
			}
			if notes := strings.Join(hs.Notes, "\n"); !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q do not say %q", hs.Notes, tc.note)
			}
		})
	}
}

// TestDialHelloSeesTheRequest: a device's hello records that the server
// asks for a client certificate, in TLS 1.2 from the server's first flight
// and in TLS 1.3 from the request itself, without waiting for the
// server's answer (its policy stays unknown).
func TestDialHelloSeesTheRequest(t *testing.T) {
	ch := rsaChain("server.test")
	for _, tc := range mutualTLSCases {
		t.Run(tc.name, func(t *testing.T) {
			host, port := serveMutualTLS(t, ch, tc.auth, tc.version)
			spec := chain.HelloSpec{Versions: []string{"tls1.2", "tls1.3"}, SNI: true}
			res := (&chain.Dialer{}).DialHello(context.Background(), host, port, "server.test", spec)
			if res.Handshake.Error != "" || len(res.Chain) != len(ch) {
				t.Fatalf("hello: error %q, %d certificates; want the chain", res.Handshake.Error, len(res.Chain))
			}
			if r := res.Handshake.ClientCert; r == nil || r.Policy != chain.ClientCertUnknown || r.Detail == "" {
				t.Errorf("ClientCert = %+v, want the request with an unknown policy and why", r)
			}
		})
	}
}

// TestFetchWithoutARequest: a server that does not ask leaves ClientCert
// nil, for the generic handshake and a device's hello alike.
func TestFetchWithoutARequest(t *testing.T) {
	ch := rsaChain("server.test")
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		host, port := serveMutualTLS(t, ch, tls.NoClientCert, v)
		hs, _, err := (&chain.Dialer{}).Fetch(context.Background(), host, port, "server.test")
		if err != nil || hs.ClientCert != nil {
			t.Errorf("version %x: Fetch error %v, ClientCert %+v; want neither", v, err, hs.ClientCert)
		}
		res := (&chain.Dialer{}).DialHello(context.Background(), host, port, "server.test", chain.HelloSpec{Versions: []string{"tls1.2", "tls1.3"}, SNI: true})
		if res.Handshake.ClientCert != nil {
			t.Errorf("version %x: hello ClientCert %+v, want nil", v, res.Handshake.ClientCert)
		}
	}
}

// TestFetchListsTheAcceptableCAs: the CAs a server names in its request
// (which CA must have issued the device's certificate) are kept, in the
// form of Cert.Subject.
func TestFetchListsTheAcceptableCAs(t *testing.T) {
	ch := rsaChain("server.test")
	deviceCA := testpki.Root(testpki.Spec{CN: "certlint device CA"})
	pool := x509.NewCertPool()
	pool.AddCert(deviceCA.Cert)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		host, port := splitAddr(t, testpki.Serve(t, &tls.Config{
			Certificates: []tls.Certificate{ch.TLSCertificate()}, MaxVersion: v,
			ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool,
		}))
		hs, _, err := (&chain.Dialer{}).Fetch(context.Background(), host, port, "server.test")
		if err != nil || hs.ClientCert == nil {
			t.Fatalf("version %x: Fetch error %v, ClientCert %+v", v, err, hs.ClientCert)
		}
		want := chain.NewCert(deviceCA.DER).Subject
		if got := hs.ClientCert.AcceptableCAs; len(got) != 1 || got[0] != want {
			t.Errorf("version %x: AcceptableCAs = %q, want %q", v, got, want)
		}
	}
}

// TestFetchWaitsBrieflyForATLS13Answer: a TLS 1.3 server that asks and
// then says nothing (no session ticket, no alert) leaves the policy
// unknown, and says so, once the short wait is over.
func TestFetchWaitsBrieflyForATLS13Answer(t *testing.T) {
	ch := rsaChain("server.test")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{ch.TLSCertificate()}, MinVersion: tls.VersionTLS13,
		ClientAuth: tls.RequestClientCert, SessionTicketsDisabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go testpki.AcceptLoop(ln, 5*time.Second, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	host, port := splitAddr(t, ln.Addr().String())
	hs, certs, err := (&chain.Dialer{Timeout: 5 * time.Second}).Fetch(context.Background(), host, port, "server.test")
	if err != nil || len(certs) != len(ch) {
		t.Fatalf("Fetch: %v, %d certificates", err, len(certs))
	}
	if r := hs.ClientCert; r == nil || r.Policy != chain.ClientCertUnknown || !strings.Contains(r.Detail, "said nothing") {
		t.Errorf("ClientCert = %+v, want an unknown policy: the server said nothing", r)
	}
}

// TestFetchJunkFlightWithARequest: when certlint's TLS library cannot
// finish the flight of a server that asks for a client certificate, the
// chain read from the records still counts, the request is recorded and
// its policy is unknown.
func TestFetchJunkFlightWithARequest(t *testing.T) {
	wire := serverHello(suiteECDHERSAAES128)
	wire = append(wire, certificateRecords([]int{700, 600}, 16384)...)
	wire = append(wire, handshakeRecord(msgServerKeyExchange, secp384r1KeyExchange)...)
	wire = append(wire, handshakeRecord(msgCertificateRequest, []byte{1, 1, 0, 2, 4, 1, 0, 0})...)
	wire = append(wire, handshakeRecord(msgServerHelloDone, nil)...)
	addr, _ := flightServer(t, wire, 0)
	host, port := splitAddr(t, addr)
	hs, certs, err := (&chain.Dialer{Timeout: 2 * time.Second}).Fetch(context.Background(), host, port, "")
	if err != nil || len(certs) != 2 {
		t.Fatalf("Fetch: %v, %d certificates; want the two sent", err, len(certs))
	}
	if hs.Error != "" || hs.Curve != "secp384r1" {
		t.Errorf("handshake %+v: want no error and the curve", *hs)
	}
	if r := hs.ClientCert; r == nil || r.Policy != chain.ClientCertUnknown || !strings.Contains(r.Detail, "could not finish") {
		t.Errorf("ClientCert = %+v, want the request with an unknown policy", r)
	}
}
