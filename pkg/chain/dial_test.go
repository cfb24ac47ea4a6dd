package chain_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	ztls "github.com/zmap/zcrypto/tls"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// splitAddr splits a 127.0.0.1:port listener address for Fetch and DialHello.
func splitAddr(t testing.TB, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("split %q: %v", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("port %q: %v", p, err)
	}
	return h, port
}

// rsaChain is a three-certificate RSA chain whose leaf is named cn.
func rsaChain(cn string) testpki.Chain {
	root := testpki.Root(testpki.Spec{CN: "certlint test root"})
	inter := root.Intermediate(testpki.Spec{CN: "certlint test intermediate"})
	return testpki.Chain{inter.Leaf(testpki.Spec{CN: cn, DNSNames: []string{cn}}), inter, root}
}

// ecdsaChain is a two-certificate P-256 chain whose leaf is named cn.
func ecdsaChain(cn string) testpki.Chain {
	root := testpki.Root(testpki.Spec{CN: "certlint test ec root", Key: "ecdsa256"})
	return testpki.Chain{root.Leaf(testpki.Spec{CN: cn, Key: "ecdsa256", DNSNames: []string{cn}}), root}
}

// serveTLS starts a crypto/tls server sending ch with the given versions.
func serveTLS(t testing.TB, ch testpki.Chain, minV, maxV uint16, suites ...uint16) (string, int) {
	t.Helper()
	addr := testpki.Serve(t, &tls.Config{
		Certificates: []tls.Certificate{ch.TLSCertificate()},
		MinVersion:   minV, MaxVersion: maxV, CipherSuites: suites,
	})
	return splitAddr(t, addr)
}

// assertServed checks that certs are ch in served order, as SourceServed.
func assertServed(t *testing.T, certs []*chain.Cert, ch testpki.Chain) {
	t.Helper()
	if len(certs) != len(ch) {
		t.Fatalf("got %d certificates, want %d", len(certs), len(ch))
	}
	for i, c := range certs {
		if !bytes.Equal(c.Raw, ch[i].DER) {
			t.Errorf("certificate %d: bytes differ from served certificate %q", i, ch[i].Cert.Subject.CommonName)
		}
		if c.Index != i || c.Source != chain.SourceServed || c.Role != "" {
			t.Errorf("certificate %d: Index %d Source %q Role %q, want %d served and no role", i, c.Index, c.Source, c.Role, i)
		}
		if c.Parsed == nil {
			t.Errorf("certificate %d not parsed: %s", i, c.ParseError)
		}
	}
}

func TestFetchEveryVersion(t *testing.T) {
	ch := rsaChain("server.test")
	for _, v := range []struct {
		id   uint16
		name string
	}{{tls.VersionTLS10, "TLS1.0"}, {tls.VersionTLS11, "TLS1.1"}, {tls.VersionTLS12, "TLS1.2"}, {tls.VersionTLS13, "TLS1.3"}} {
		t.Run(v.name, func(t *testing.T) {
			host, port := serveTLS(t, ch, v.id, v.id)
			d := &chain.Dialer{Timeout: 5 * time.Second}
			hs, certs, err := d.Fetch(context.Background(), host, port, "server.test")
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if hs.Version != v.name || hs.CipherSuite == "" || hs.Error != "" || !hs.OK() {
				t.Errorf("handshake = %+v, want %s agreed without error", *hs, v.name)
			}
			if hs.Curve == "" {
				t.Errorf("handshake = %+v: no curve recorded for an ECDHE/TLS 1.3 handshake", *hs)
			}
			// TLS 1.3 encrypts the Certificate message; zcrypto must still log it.
			assertServed(t, certs, ch)
		})
	}
}

// TestFetchHelloIsSmall: the generic hello offers the classical groups,
// X25519 first, and no post-quantum one, so it fits one TCP segment even
// on servers that mishandle a larger ClientHello.
func TestFetchHelloIsSmall(t *testing.T) {
	hellos := make(chan *tls.ClientHelloInfo, 1)
	ch := rsaChain("server.test")
	addr := testpki.Serve(t, &tls.Config{
		Certificates: []tls.Certificate{ch.TLSCertificate()},
		GetConfigForClient: func(hi *tls.ClientHelloInfo) (*tls.Config, error) {
			hellos <- hi
			return nil, nil
		},
	})
	host, port := splitAddr(t, addr)
	d := &chain.Dialer{Timeout: 5 * time.Second}
	hs, _, err := d.Fetch(context.Background(), host, port, "server.test")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	hi := <-hellos
	want := []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}
	if !slices.Equal(hi.SupportedCurves, want) {
		t.Errorf("generic hello offers groups %v, want %v", hi.SupportedCurves, want)
	}
	if hs.Version != "TLS1.3" || hs.Curve != "x25519" {
		t.Errorf("handshake = %s with %s, want TLS1.3 with x25519", hs.Version, hs.Curve)
	}
}

// sniServer serves named.test's chain to clients that ask for it by SNI and
// default.test's chain (the default certificate) to every other client.
func sniServer(t testing.TB) (named, fallback testpki.Chain, addr string) {
	named, fallback = rsaChain("named.test"), rsaChain("default.test")
	namedCert := named.TLSCertificate()
	addr = testpki.Serve(t, &tls.Config{
		MinVersion:   tls.VersionTLS10,
		Certificates: []tls.Certificate{fallback.TLSCertificate()},
		GetCertificate: func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if hi.ServerName == "named.test" {
				return &namedCert, nil
			}
			return nil, nil
		},
	})
	return named, fallback, addr
}

func TestFetchSNISelectsCertificate(t *testing.T) {
	named, fallback, addr := sniServer(t)
	host, port := splitAddr(t, addr)
	d := &chain.Dialer{Timeout: 5 * time.Second}
	for sni, want := range map[string]testpki.Chain{"named.test": named, "": fallback, "other.test": fallback} {
		_, certs, err := d.Fetch(context.Background(), host, port, sni)
		if err != nil {
			t.Fatalf("Fetch(sni=%q): %v", sni, err)
		}
		if len(certs) == 0 || certs[0].CommonName != want[0].Cert.Subject.CommonName {
			t.Errorf("Fetch(sni=%q) leaf = %v, want %s", sni, certs, want[0].Cert.Subject.CommonName)
		}
	}
}

func TestFetchKeepsUnparseableCertificate(t *testing.T) {
	ch := rsaChain("junk.test")
	tc := ch.TLSCertificate()
	junk := []byte("this is not a DER certificate")
	tc.Certificate = append(tc.Certificate[:1], junk)
	addr := testpki.Serve(t, &tls.Config{Certificates: []tls.Certificate{tc}, MaxVersion: tls.VersionTLS12})
	host, port := splitAddr(t, addr)
	hs, certs, err := (&chain.Dialer{Timeout: 5 * time.Second}).Fetch(context.Background(), host, port, "junk.test")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(certs) != 2 || !bytes.Equal(certs[1].Raw, junk) || certs[1].ParseError == "" {
		t.Fatalf("certs = %+v, want the leaf and the junk bytes with a ParseError", certs)
	}
	// The server did its part; the failure is certlint's own parser.
	if hs.Version != "TLS1.2" || hs.Error != "" {
		t.Errorf("handshake = %+v, want TLS1.2 and no server-side error", *hs)
	}
}

// fetchErr runs Fetch and requires a *HandshakeError mentioning want.
func fetchErr(t *testing.T, d *chain.Dialer, ctx context.Context, addr string, want string) *chain.HandshakeError {
	t.Helper()
	host, port := splitAddr(t, addr)
	hs, certs, err := d.Fetch(ctx, host, port, "")
	if err == nil {
		t.Fatalf("Fetch(%s) = %+v, %d certs; want an error", addr, hs, len(certs))
	}
	var he *chain.HandshakeError
	if !errors.As(err, &he) {
		t.Fatalf("Fetch(%s) error %T %v is not a *HandshakeError", addr, err, err)
	}
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), addr) {
		t.Errorf("Fetch(%s) error %q, want it to name the address and say %q", addr, err, want)
	}
	if hs == nil || hs.Error == "" || len(certs) != 0 {
		t.Errorf("Fetch(%s) handshake %+v certs %d: want Error set and no certificates", addr, hs, len(certs))
	}
	return he
}

func TestFetchRefused(t *testing.T) {
	ln := testpki.Listen(t)
	addr := ln.Addr().String()
	ln.Close()
	err := fetchErr(t, &chain.Dialer{Timeout: 2 * time.Second}, context.Background(), addr, "connection refused")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v does not wrap ECONNREFUSED", err)
	}
}

// silentServer accepts connections, reads the ClientHello and never answers.
func silentServer(t testing.TB) string {
	return rawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

func TestFetchSilentServerTimesOut(t *testing.T) {
	fetchErr(t, &chain.Dialer{Timeout: 300 * time.Millisecond}, context.Background(), silentServer(t),
		"timed out waiting for the server to answer the ClientHello")
}

func TestFetchRespectsContextDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	fetchErr(t, &chain.Dialer{}, ctx, silentServer(t), "timed out")
}

// rawServer runs handle on every connection accepted on 127.0.0.1.
func rawServer(t testing.TB, handle func(c net.Conn)) string {
	ln := testpki.Listen(t)
	go testpki.AcceptLoop(ln, 5*time.Second, handle)
	return ln.Addr().String()
}

// readRecord reads one whole TLS record (the ClientHello) from c.
func readRecord(c net.Conn) []byte {
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return nil
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	_, _ = io.ReadFull(c, body)
	return append(hdr, body...)
}

// replyServer reads the ClientHello record and answers with reply.
func replyServer(t testing.TB, reply []byte) string {
	return rawServer(t, func(c net.Conn) {
		readRecord(c)
		_, _ = c.Write(reply)
	})
}

func TestFetchNotTLS(t *testing.T) {
	addr := replyServer(t, []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
	err := fetchErr(t, &chain.Dialer{Timeout: 2 * time.Second}, context.Background(), addr, "not a TLS server")
	if !errors.Is(err, chain.ErrNotTLS) || !strings.Contains(err.Error(), "HTTP/") {
		t.Errorf("error %v: want ErrNotTLS quoting the first bytes", err)
	}
}

func TestFetchServerClosesAtOnce(t *testing.T) {
	fetchErr(t, &chain.Dialer{Timeout: 2 * time.Second}, context.Background(), replyServer(t, nil),
		"closed the connection without answering")
}

func TestFetchReset(t *testing.T) {
	addr := rawServer(t, func(c net.Conn) {
		readRecord(c)
		_ = c.(*net.TCPConn).SetLinger(0) // close with RST
	})
	fetchErr(t, &chain.Dialer{Timeout: 2 * time.Second}, context.Background(), addr, "connection reset")
}

func TestFetchReadCap(t *testing.T) {
	ch := rsaChain("big.test")
	host, port := serveTLS(t, ch, tls.VersionTLS12, tls.VersionTLS12)
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	err := fetchErr(t, &chain.Dialer{Timeout: 2 * time.Second, MaxHandshakeBytes: 600}, context.Background(), addr, "600 bytes")
	if !errors.Is(err, chain.ErrHandshakeTooLarge) {
		t.Errorf("error %v does not wrap ErrHandshakeTooLarge", err)
	}
	// The same server fits the default cap.
	if _, certs, err := (&chain.Dialer{Timeout: 2 * time.Second}).Fetch(context.Background(), host, port, ""); err != nil || len(certs) != 3 {
		t.Errorf("Fetch with the default cap: %d certs, %v", len(certs), err)
	}
}

func TestAlertName(t *testing.T) {
	for in, want := range map[uint8]string{40: "handshake_failure", 70: "protocol_version", 48: "unknown_ca", 112: "unrecognized_name", 200: "alert_200"} {
		if got := chain.AlertName(ztls.Alert(in)); got != want {
			t.Errorf("AlertName(%d) = %q, want %q", in, got, want)
		}
	}
}
