// Package testpki makes certificate chains and TLS servers for tests, at
// test time, on 127.0.0.1 only. Keys are cached per process because RSA-4096
// generation is slow and tests only need distinct certificates, not keys.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// Key names a key type and size: "rsa1024" … "rsa4608", "ecdsa224",
// "ecdsa256", "ecdsa384", "ed25519".
type Key string

var (
	keysMu sync.Mutex
	keys   = map[string]crypto.Signer{}
)

// signer returns a cached key of the given kind; slot lets a test ask for
// two different keys of the same kind.
func signer(k Key, slot string) crypto.Signer {
	keysMu.Lock()
	defer keysMu.Unlock()
	id := string(k) + "/" + slot
	if s, ok := keys[id]; ok {
		return s
	}
	var s crypto.Signer
	var err error
	switch k {
	case "rsa1024":
		s, err = rsa.GenerateKey(rand.Reader, 1024)
	case "", "rsa2048":
		s, err = rsa.GenerateKey(rand.Reader, 2048)
	case "rsa3072":
		s, err = rsa.GenerateKey(rand.Reader, 3072)
	case "rsa4096":
		s, err = rsa.GenerateKey(rand.Reader, 4096)
	case "rsa4608":
		// Just past RSA-4096, the ceiling of BearSSL's key buffer and of the
		// ESP32's RSA accelerator; cheaper to generate than RSA-8192.
		s, err = rsa.GenerateKey(rand.Reader, 4608)
	case "ecdsa224":
		s, err = ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	case "ecdsa256":
		s, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ecdsa384":
		s, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ed25519":
		_, s, err = ed25519.GenerateKey(rand.Reader)
	default:
		panic("testpki: unknown key " + string(k))
	}
	if err != nil {
		panic(err)
	}
	keys[id] = s
	return s
}

// Spec describes one certificate to issue.
type Spec struct {
	CN        string
	Key       Key       // default rsa2048
	DNSNames  []string  // SANs; a leaf with hundreds of them grows past 3 KB
	NotBefore time.Time // default an hour ago
	NotAfter  time.Time // default a year from now
	NoSKI     bool      // leave out the Subject Key Identifier
	SHA1      bool      // sign with SHA-1 instead of SHA-256/384
	// KeySlot picks the cached key; default the CN, so two certificates
	// with one CN share a key (a renewal that keeps it) unless KeySlot
	// differs (a renewal with a new key).
	KeySlot string
}

// Cert is an issued certificate with its key.
type Cert struct {
	Cert *x509.Certificate
	DER  []byte
	Key  crypto.Signer
}

var serial int64 = 1000

// Root makes a self-signed CA.
func Root(spec Spec) *Cert { return issue(spec, nil, true) }

// Intermediate makes a CA signed by parent.
func (parent *Cert) Intermediate(spec Spec) *Cert { return issue(spec, parent, true) }

// Leaf makes an end-entity certificate signed by parent.
func (parent *Cert) Leaf(spec Spec) *Cert { return issue(spec, parent, false) }

func issue(spec Spec, parent *Cert, isCA bool) *Cert {
	slot := spec.CN
	if spec.KeySlot != "" {
		slot = spec.KeySlot
	}
	key := signer(spec.Key, slot)
	keysMu.Lock()
	serial++
	sn := big.NewInt(serial)
	keysMu.Unlock()
	nb, na := spec.NotBefore, spec.NotAfter
	if nb.IsZero() {
		nb = time.Now().Add(-time.Hour)
	}
	if na.IsZero() {
		na = time.Now().Add(365 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: spec.CN, Organization: []string{"certlint test"}},
		NotBefore:             nb,
		NotAfter:              na,
		DNSNames:              spec.DNSNames,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		if _, ok := key.(*rsa.PrivateKey); ok {
			tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
	}
	if spec.SHA1 {
		if _, ok := key.(*rsa.PrivateKey); ok {
			tmpl.SignatureAlgorithm = x509.SHA1WithRSA
		} else {
			tmpl.SignatureAlgorithm = x509.ECDSAWithSHA1
		}
	}
	if !spec.NoSKI {
		spki, err := x509.MarshalPKIXPublicKey(key.Public())
		if err != nil {
			panic(err)
		}
		sum := sha1.Sum(spki)
		tmpl.SubjectKeyId = sum[:]
	}
	issuerCert, issuerKey := tmpl, key
	if parent != nil {
		issuerCert, issuerKey = parent.Cert, parent.Key
	}
	der, err := createCertificate(tmpl, issuerCert, key.Public(), issuerKey, spec.NoSKI)
	if err != nil {
		panic(fmt.Sprintf("testpki: issue %q: %v", spec.CN, err))
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	cert := &Cert{Cert: c, DER: der, Key: key}
	remember(cert)
	return cert
}

// PEM returns the certificate in PEM form.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// Chain is a list of certificates in served order (leaf first).
type Chain []*Cert

// PEM returns the chain as a PEM bundle in served order.
func (ch Chain) PEM() []byte {
	var out []byte
	for _, c := range ch {
		out = append(out, c.PEM()...)
	}
	return out
}

// DER returns the chain as concatenated DER in served order.
func (ch Chain) DER() []byte {
	var out []byte
	for _, c := range ch {
		out = append(out, c.DER...)
	}
	return out
}

// TLSCertificate returns the chain as a crypto/tls server certificate.
func (ch Chain) TLSCertificate() tls.Certificate {
	var tc tls.Certificate
	for _, c := range ch {
		tc.Certificate = append(tc.Certificate, c.DER)
	}
	tc.PrivateKey = ch[0].Key
	tc.Leaf = ch[0].Cert
	return tc
}

// ManyNames returns n distinct DNS names under domain; 120 of them make a
// leaf of about 3.8 KB, like the Azure Storage leaf of seed 000.
func ManyNames(domain string, n int) []string {
	names := []string{domain, "*." + domain}
	for i := 0; len(names) < n; i++ {
		names = append(names, fmt.Sprintf("table%03d.db%dprdstr.store.%s", i, i%10, domain))
	}
	return names
}

// Serve starts a TLS server on 127.0.0.1 with cfg (Certificates must be
// set) and returns its address. Each connection completes the handshake and
// is closed; the server stops when the test ends.
func Serve(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatalf("testpki: listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go AcceptLoop(ln, 5*time.Second, func(conn net.Conn) { _ = conn.(*tls.Conn).Handshake() })
	return ln.Addr().String()
}

// AcceptLoop runs handle, in a goroutine of its own, on every connection
// accepted from ln until ln is closed. Each connection gets a deadline of
// timeout, so a handler stuck on a silent client ends with its test, and is
// closed when handle returns.
func AcceptLoop(ln net.Listener, timeout time.Duration, handle func(net.Conn)) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(timeout))
			handle(conn)
		}()
	}
}

// ServeChain starts a TLS 1.0–1.3 server that sends chain.
func ServeChain(t testing.TB, chain Chain) string {
	return Serve(t, &tls.Config{Certificates: []tls.Certificate{chain.TLSCertificate()}, MinVersion: tls.VersionTLS10})
}

// Listen returns a TCP listener on 127.0.0.1 closed at the end of the test,
// for servers that misbehave on purpose.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testpki: listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

var (
	issuedMu sync.Mutex
	issued   = map[string]crypto.Signer{} // leaf DER → its key
)

func remember(c *Cert) {
	issuedMu.Lock()
	defer issuedMu.Unlock()
	issued[string(c.DER)] = c.Key
}

// KeyPairForPEM turns a PEM chain issued by this package (in this process)
// back into a server certificate, so a chain written to a file can be served.
func KeyPairForPEM(data []byte) (tls.Certificate, error) {
	var tc tls.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		tc.Certificate = append(tc.Certificate, block.Bytes)
	}
	if len(tc.Certificate) == 0 {
		return tc, fmt.Errorf("testpki: no certificate in PEM")
	}
	issuedMu.Lock()
	key, ok := issued[string(tc.Certificate[0])]
	issuedMu.Unlock()
	if !ok {
		return tc, fmt.Errorf("testpki: the leaf was not issued by this process")
	}
	tc.PrivateKey = key
	return tc, nil
}
