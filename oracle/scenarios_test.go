package oracle

import (
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
)

// scenario is one server setup and what the device holds and asks for.
type scenario struct {
	name   string
	chain  testpki.Chain // served chain (leaf first)
	ca     []byte        // the CA file the device holds (PEM)
	sni    string        // name the device asks for and verifies
	epoch  bool          // the device's clock was never set (reads 1970)
	tlsCfg func(*tls.Config)
	// other is served to a client asking for another name (the default
	// certificate); nil = chain for every name.
	other testpki.Chain
	split int // cut handshake records to this many bytes (0 = crypto/tls's own)
}

func (sc *scenario) serve(t *testing.T) string {
	cfg := &tls.Config{MinVersion: tls.VersionTLS10, Certificates: []tls.Certificate{sc.chain.TLSCertificate()}}
	if sc.other != nil {
		good, other := sc.chain.TLSCertificate(), sc.other.TLSCertificate()
		cfg.Certificates = nil
		cfg.GetCertificate = func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if h.ServerName == "oracle.test" {
				return &good, nil
			}
			return &other, nil
		}
	}
	if sc.tlsCfg != nil {
		sc.tlsCfg(cfg)
	}
	return serveTLS(t, cfg, sc.split)
}

// pki is one hierarchy: root, intermediates, leaf of a key kind.
type pki struct {
	root *testpki.Cert
	ints []*testpki.Cert // ints[0] issued by root, ints[i] by ints[i-1]
	leaf *testpki.Cert
}

// hierarchy makes root -> n intermediates -> leaf with key k (the slot
// prefix keeps keys distinct between hierarchies).
func hierarchy(prefix string, k testpki.Key, n int, sha1 bool) pki {
	var p pki
	p.root = testpki.Root(testpki.Spec{CN: prefix + " Root", Key: k})
	parent := p.root
	for i := 0; i < n; i++ {
		parent = parent.Intermediate(testpki.Spec{CN: fmt.Sprintf("%s CA %d", prefix, i+1), Key: k, SHA1: sha1})
		p.ints = append(p.ints, parent)
	}
	p.leaf = parent.Leaf(testpki.Spec{CN: "oracle.test", Key: k, DNSNames: []string{"oracle.test"}, SHA1: sha1})
	return p
}

// served is the chain as a well-configured server sends it.
func (p pki) served() testpki.Chain {
	ch := testpki.Chain{p.leaf}
	for i := len(p.ints) - 1; i >= 0; i-- {
		ch = append(ch, p.ints[i])
	}
	return ch
}

// padNames returns names whose SAN entries add exactly n bytes (each
// dNSName costs its length + 2).
func padNames(n int) []string {
	var out []string
	for n > 0 {
		l := n - 2
		if n > 62 {
			l = 60
			if r := n - 62; r < 3 { // keep room for a last name of 1 character
				l = 57
			}
		}
		out = append(out, strings.Repeat("a", l-1)+"z")
		n -= l + 2
	}
	return out
}

// leafOfSize issues a leaf under parent whose DER is exactly size bytes.
func leafOfSize(t *testing.T, parent *testpki.Cert, size int) *testpki.Cert {
	pad := 0
	for i := 0; i < 12; i++ {
		c := parent.Leaf(testpki.Spec{CN: "oracle.test", DNSNames: append([]string{"oracle.test"}, padNames(pad)...)})
		if len(c.DER) == size {
			return c
		}
		pad += size - len(c.DER)
		if pad < 3 {
			pad = 3
		}
	}
	t.Fatalf("no leaf of exactly %d bytes under %s", size, parent.Cert.Subject.CommonName)
	return nil
}

// sizedChain serves n certificates (leaf and n-1 intermediates, RSA-2048)
// whose DER bytes add up to total.
func sizedChain(t *testing.T, n, total int) (testpki.Chain, *testpki.Cert) {
	p := hierarchy("Size", "rsa2048", n-1, false)
	parent := p.root
	if n > 1 {
		parent = p.ints[n-2]
	}
	rest := total
	for _, c := range p.ints {
		rest -= len(c.DER)
	}
	p.leaf = leafOfSize(t, parent, rest)
	return p.served(), p.root
}

func buildScenarios(t *testing.T) []*scenario {
	var out []*scenario
	add := func(sc *scenario) {
		if sc.sni == "" {
			sc.sni = "oracle.test"
		}
		out = append(out, sc)
	}

	// Size limits, just below and just above. The Certificate message is
	// 4 (header) + 3 (list length) + 3 per certificate + the DER bytes;
	// mbedTLS counts the header against IN_CONTENT_LEN, wolfSSL does not
	// against MAX_CERTIFICATE_SZ.
	sized := func(label string, n, der int) {
		ch, root := sizedChain(t, n, der)
		add(&scenario{name: fmt.Sprintf("size-%s-%dcert-%dB", label, n, der), chain: ch, ca: root.PEM()})
	}
	for _, limit := range []struct {
		label  string
		msg    int // message bytes at the limit
		header bool
		counts []int
	}{
		{"msg4096", 4096, true, []int{1, 2, 3}},   // mbedtls-in4096
		{"body4096", 4096, false, []int{1, 2, 3}}, // wolfssl-maxcert4096
		{"msg16384", 16384, true, []int{2}},       // esp32, nina-w10: IN_CONTENT_LEN 16384
		{"body18462", 18462, false, []int{2}},     // wolfSSL default MAX_CERTIFICATE_SZ
	} {
		for _, n := range limit.counts {
			der := limit.msg - 3 - 3*n
			if limit.header {
				der -= 4
			}
			sized(limit.label, n, der)
			sized(limit.label, n, der+1)
		}
	}
	// wolfSSL's body count under TLS 1.2 (the servers above let it
	// negotiate TLS 1.3, whose framing is longer).
	for _, der := range []int{4096 - 3 - 6, 4096 - 3 - 6 + 1} {
		ch, root := sizedChain(t, 2, der)
		add(&scenario{name: fmt.Sprintf("size-body4096-2cert-%dB-tls1.2", der), chain: ch, ca: root.PEM(), tlsCfg: tls12only})
	}
	big, bigRoot := sizedChain(t, 2, 66*1024)
	add(&scenario{name: "chain-over-64KiB", chain: big, ca: bigRoot.PEM()})

	// Records: a server that cuts its handshake into small records
	// (TLS 1.2, where the handshake is plaintext and can be re-cut), as a
	// server does that honours a 2,048-byte max fragment length.
	for _, split := range []int{1024, 2048} {
		p := hierarchy("Split", "rsa2048", 1, false)
		add(&scenario{name: fmt.Sprintf("records-cut-at-%d", split), chain: p.served(), ca: p.root.PEM(), split: split, tlsCfg: tls12only})
	}
	cut, cutRoot := sizedChain(t, 2, 3000)
	add(&scenario{name: "records-cut-at-2048-chain-3000B", chain: cut, ca: cutRoot.PEM(), split: 2048, tlsCfg: tls12only})

	// Keys and signatures.
	for _, k := range []testpki.Key{"rsa2048", "rsa3072", "rsa4096", "ecdsa256", "ecdsa384"} {
		p := hierarchy("Key "+string(k), k, 1, false)
		add(&scenario{name: "key-" + string(k), chain: p.served(), ca: p.root.PEM()})
	}
	for _, k := range []testpki.Key{"rsa2048", "ecdsa256"} {
		p := hierarchy("SHA1 "+string(k), k, 1, true)
		add(&scenario{name: "sha1-" + string(k), chain: p.served(), ca: p.root.PEM()})
	}
	mixed := hierarchy("Mixed", "rsa2048", 1, false)
	mixed.leaf = mixed.ints[0].Leaf(testpki.Spec{CN: "oracle.test", Key: "ecdsa384", DNSNames: []string{"oracle.test"}})
	add(&scenario{name: "ecdsa384-leaf-under-rsa", chain: mixed.served(), ca: mixed.root.PEM()})

	// Versions and suites.
	base := hierarchy("Base", "rsa2048", 1, false)
	for _, v := range []struct {
		name string
		v    uint16
	}{{"tls1.0", tls.VersionTLS10}, {"tls1.2", tls.VersionTLS12}, {"tls1.3", tls.VersionTLS13}} {
		v := v
		add(&scenario{name: "server-" + v.name + "-only", chain: base.served(), ca: base.root.PEM(),
			tlsCfg: func(c *tls.Config) { c.MinVersion, c.MaxVersion = v.v, v.v }})
	}
	for _, s := range []struct {
		name  string
		suite uint16
	}{
		{"chacha20-only", tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
		{"3des-only", tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
		{"rsa-kx-aes128-sha-only", tls.TLS_RSA_WITH_AES_128_CBC_SHA},
	} {
		s := s
		add(&scenario{name: "suite-" + s.name, chain: base.served(), ca: base.root.PEM(),
			tlsCfg: func(c *tls.Config) { tls12only(c); c.CipherSuites = []uint16{s.suite} }})
	}

	// Names: the certificate for the name asked for, or the server's default.
	other := hierarchy("Default", "rsa2048", 1, false)
	other.leaf = other.ints[0].Leaf(testpki.Spec{CN: "default.invalid", DNSNames: []string{"default.invalid"}})
	add(&scenario{name: "sni-gets-named-cert", chain: base.served(), other: other.served(), ca: base.root.PEM()})
	add(&scenario{name: "sni-other-name-gets-default", chain: base.served(), other: other.served(), ca: base.root.PEM(), sni: "other.test"})
	add(&scenario{name: "name-mismatch", chain: base.served(), ca: base.root.PEM(), sni: "wrong.test"})

	// Paths.
	add(&scenario{name: "missing-intermediate", chain: testpki.Chain{base.leaf}, ca: base.root.PEM()})
	wrong := testpki.Root(testpki.Spec{CN: "Wrong Root"})
	add(&scenario{name: "wrong-ca", chain: base.served(), ca: wrong.PEM()})
	add(&scenario{name: "root-served-too", chain: append(base.served(), base.root), ca: base.root.PEM()})
	add(&scenario{name: "intermediate-as-anchor", chain: base.served(), ca: base.ints[0].PEM()})
	oldRoot := testpki.Root(testpki.Spec{CN: "Old Root"})
	cross := oldRoot.Intermediate(testpki.Spec{CN: "Base Root", Key: "rsa2048"}) // same name and key as base.root
	add(&scenario{name: "cross-signed-extra", chain: append(base.served(), cross), ca: base.root.PEM()})
	add(&scenario{name: "cross-signed-old-root-held", chain: append(base.served(), cross), ca: oldRoot.PEM()})
	deep := hierarchy("Deep", "rsa2048", 2, false)
	add(&scenario{name: "in-order-3-certs", chain: deep.served(), ca: deep.root.PEM()})
	add(&scenario{name: "out-of-order", chain: testpki.Chain{deep.leaf, deep.ints[0], deep.ints[1]}, ca: deep.root.PEM()})
	stray := testpki.Root(testpki.Spec{CN: "Stray Root"})
	add(&scenario{name: "unrelated-cert-between", chain: testpki.Chain{base.leaf, stray, base.ints[0]}, ca: base.root.PEM()})

	// Time.
	exp := hierarchy("Expired", "rsa2048", 1, false)
	exp.leaf = exp.ints[0].Leaf(testpki.Spec{CN: "oracle.test", DNSNames: []string{"oracle.test"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	add(&scenario{name: "expired-leaf-clock-set", chain: exp.served(), ca: exp.root.PEM()})
	add(&scenario{name: "expired-leaf-no-clock", chain: exp.served(), ca: exp.root.PEM(), epoch: true})
	add(&scenario{name: "valid-chain-no-clock", chain: base.served(), ca: base.root.PEM(), epoch: true})
	return out
}

func tls12only(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS12, tls.VersionTLS12 }
