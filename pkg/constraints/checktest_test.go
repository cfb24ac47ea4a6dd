package constraints

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// testPKI holds the certificates the check tests build chains from. They
// are made once per test binary: RSA-4096 keys are slow to generate.
type testPKI struct {
	root, inter, leaf        *testpki.Cert // RSA-2048 throughout
	inter4096, leafUnder4096 *testpki.Cert // seed 002: an RSA-4096 intermediate
	bigLeaf                  *testpki.Cert // seed 000: a 3.8 KB leaf under inter4096
	expiredLeaf, futureLeaf  *testpki.Cert
	sha1Leaf                 *testpki.Cert
	ecRoot, ecInter, ecLeaf  *testpki.Cert // P-384 root and intermediate, P-256 leaf
	noSKIRoot, noSKILeaf     *testpki.Cert // seed 004: a CA without SKI
	otherRoot                *testpki.Cert // unrelated to every chain
}

var (
	pkiOnce sync.Once
	pkiSet  *testPKI
)

func pki() *testPKI {
	pkiOnce.Do(func() {
		s := &testPKI{}
		s.root = testpki.Root(testpki.Spec{CN: "Test Root CA"})
		s.inter = s.root.Intermediate(testpki.Spec{CN: "Test TLS CA"})
		s.leaf = s.inter.Leaf(testpki.Spec{CN: "device.example.net", DNSNames: []string{"device.example.net", "*.api.example.net"}})
		s.inter4096 = s.root.Intermediate(testpki.Spec{CN: "Test TLS CA 4", Key: "rsa4096"})
		s.leafUnder4096 = s.inter4096.Leaf(testpki.Spec{CN: "hub.example.net", DNSNames: []string{"hub.example.net"}})
		s.bigLeaf = s.inter4096.Leaf(testpki.Spec{CN: "*.table.example.net", DNSNames: testpki.ManyNames("table.example.net", 120)})
		s.expiredLeaf = s.inter.Leaf(testpki.Spec{CN: "old.example.net", DNSNames: []string{"old.example.net"},
			NotBefore: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)})
		s.futureLeaf = s.inter.Leaf(testpki.Spec{CN: "new.example.net", DNSNames: []string{"new.example.net"},
			NotBefore: time.Now().Add(30 * 24 * time.Hour), NotAfter: time.Now().Add(400 * 24 * time.Hour)})
		s.sha1Leaf = s.inter.Leaf(testpki.Spec{CN: "sha1.example.net", DNSNames: []string{"sha1.example.net"}, SHA1: true})
		s.ecRoot = testpki.Root(testpki.Spec{CN: "Test EC Root", Key: "ecdsa384"})
		s.ecInter = s.ecRoot.Intermediate(testpki.Spec{CN: "Test EC CA", Key: "ecdsa384"})
		s.ecLeaf = s.ecInter.Leaf(testpki.Spec{CN: "ec.example.net", Key: "ecdsa256", DNSNames: []string{"ec.example.net"}})
		s.noSKIRoot = testpki.Root(testpki.Spec{CN: "Test CA without SKI", NoSKI: true})
		s.noSKILeaf = s.noSKIRoot.Leaf(testpki.Spec{CN: "st.example.net", DNSNames: []string{"st.example.net"}})
		s.otherRoot = testpki.Root(testpki.Spec{CN: "Unrelated Root"})
		pkiSet = s
	})
	return pkiSet
}

// observe builds the Observation an offline chain gives: the served
// certificates in served order, then the anchor (when given and not
// served) with the given source; roles and indexes as chain.AssignRoles
// sets them. A served anchor is in the chain once, as served.
func observe(served []*testpki.Cert, anchor *testpki.Cert, anchorSource chain.Source) *chain.Observation {
	obs := &chain.Observation{Offline: true, CheckedAt: time.Now(), ServerName: "device.example.net"}
	for _, tc := range served {
		c := chain.NewCert(tc.DER)
		c.Source = chain.SourceServed
		obs.Chain = append(obs.Chain, c)
		if anchor != nil && string(anchor.DER) == string(tc.DER) {
			obs.Anchor = c
		}
	}
	if anchor != nil && obs.Anchor == nil {
		a := chain.NewCert(anchor.DER)
		a.Source = anchorSource
		obs.Chain = append(obs.Chain, a)
		obs.Anchor = a
	}
	// The device holds the anchor: in its CA file, or in the store.
	switch {
	case anchor != nil && anchorSource == chain.SourceCAFile:
		obs.CAFiles = []*chain.CAFile{caFileOf("pem", anchor)}
	case anchor != nil && anchorSource == chain.SourceStore:
		held := chain.NewAnchors()
		held.AddDER(anchor.DER, chain.SourceStore, "test")
		obs.Store = chain.Union(chain.StoreAnchors(), held)
	}
	chain.AssignRoles(obs.Chain)
	return obs
}

// chainOf lists certificates in served order.
func chainOf(certs ...*testpki.Cert) []*testpki.Cert { return certs }

// caFileOf is the CA file a device holds, in the given format.
func caFileOf(format string, certs ...*testpki.Cert) *chain.CAFile {
	f := &chain.CAFile{Path: "ca." + format, Format: format}
	for _, tc := range certs {
		c := chain.NewCert(tc.DER)
		c.Source = chain.SourceCAFile
		f.Certs = append(f.Certs, c)
		if format == "pem" {
			f.Bytes += len(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tc.DER}))
		} else {
			f.Bytes += len(tc.DER)
		}
	}
	return f
}

// withHello records what the server did with the profile's ClientHello, as
// a dial would, and marks the observation online.
func withHello(obs *chain.Observation, p *Profile, hs chain.Handshake, helloChain ...*testpki.Cert) *chain.Observation {
	res := &chain.HelloResult{Spec: p.HelloSpec(), Handshake: hs}
	for _, tc := range helloChain {
		c := chain.NewCert(tc.DER)
		c.Source = chain.SourceServed
		res.Chain = append(res.Chain, c)
	}
	chain.AssignRoles(res.Chain)
	obs.Offline = false
	obs.Hellos = map[string]*chain.HelloResult{p.HelloSpec().Key(): res}
	return obs
}

func boolp(b bool) *bool { return &b }

// testProfile is an SPWF04Sx-like profile with every field set, so each
// test changes only the field it is about.
func testProfile() *Profile {
	return &Profile{
		ID: "spwf04", Name: "SPWF04Sx", Firmware: "1.1.x",
		TLS: TLSLimits{
			Versions:     []string{"tls1.0", "tls1.1", "tls1.2"},
			CipherSuites: []string{"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
			Curves:       []string{"secp256r1"},
			SNI:          boolp(true),
		},
		Certificates: CertificateLimits{
			MaxCertBytes: 2560, KeyTypes: []string{"rsa", "ecdsa"}, RSAMinBits: 1024, RSAMaxBits: 4096,
			SignatureHashes: []string{"sha1", "sha256", "sha384"},
		},
		Trust: TrustModel{
			Model: "loaded-ca", CAFormats: []string{"der", "pem"}, CARequiresSKI: true,
			CASKIAutoFormats: []string{"der"}, CAPath: "{ski}.ca",
			VerifiesHostname: boolp(true), VerifiesTime: boolp(true),
		},
		Sources: map[string][]SourceRef{
			"certificates.max_cert_bytes": {{Ref: "ST community, accepted answer", Confidence: "vendor-forum"}},
		},
	}
}

// checkByID returns the registered check with the given ID.
func checkByID(t testing.TB, id string) Check {
	t.Helper()
	for _, c := range Checks() {
		if c.ID() == id {
			return c
		}
	}
	t.Fatalf("check %q is not registered", id)
	return nil
}

// want is what a test expects of one finding; nil Limit/Actual are not
// compared, and every Contains fragment must be in the message.
type want struct {
	Severity  Severity
	CertIndex int
	Limit     interface{}
	Actual    interface{}
	Contains  []string
	Fix       string // a fragment of Fix; "" means not compared
}

// assertFindings compares findings with the wanted ones, in order.
func assertFindings(t *testing.T, got []Finding, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(wants), dumpFindings(got))
	}
	for i, w := range wants {
		f := got[i]
		if f.Severity != w.Severity || f.CertIndex != w.CertIndex {
			t.Errorf("finding %d: severity %s cert_index %d, want %s %d: %s", i, f.Severity, f.CertIndex, w.Severity, w.CertIndex, f.Message)
		}
		if w.Limit != nil && f.Limit != w.Limit {
			t.Errorf("finding %d: limit %v, want %v", i, f.Limit, w.Limit)
		}
		if w.Actual != nil && f.Actual != w.Actual {
			t.Errorf("finding %d: actual %v, want %v", i, f.Actual, w.Actual)
		}
		for _, frag := range w.Contains {
			if !strings.Contains(f.Message, frag) {
				t.Errorf("finding %d: message %q lacks %q", i, f.Message, frag)
			}
		}
		if w.Fix != "" && !strings.Contains(f.Fix, w.Fix) {
			t.Errorf("finding %d: fix %q lacks %q", i, f.Fix, w.Fix)
		}
		if f.Severity == Fail && f.Message == "" {
			t.Errorf("finding %d: a failure without a message", i)
		}
	}
}

func dumpFindings(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + string(f.Severity) + " #" + strconv.Itoa(f.CertIndex) + ": " + f.Message + "\n")
	}
	return b.String()
}

// realCerts reads a PEM bundle of real public certificates from the chain
// package's test data (the Baltimore-era Azure chains of the seeds), in
// file order.
func realCerts(t testing.TB, name string) []*testpki.Cert {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "chain", "testdata", name))
	if err != nil {
		t.Fatalf("read test data: %v", err)
	}
	var out []*testpki.Cert
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		out = append(out, &testpki.Cert{DER: block.Bytes})
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no certificates", name)
	}
	return out
}

// TestEveryCheckAnswers runs each check of the contract on an empty
// observation, an empty profile and a full one: each must be registered,
// name the fields it reads, and return at least one finding without
// panicking.
func TestEveryCheckAnswers(t *testing.T) {
	ids := []string{"cert-size", "chain-size", "chain-depth", "key-type", "key-size", "signature", "tls-version",
		"cipher-suite", "sni", "hostname", "validity", "chain-complete", "trust-anchor", "ca-file", "client-cert", "message-size", "pin"}
	k := pki()
	observations := map[string]*chain.Observation{
		"empty":         {},
		"offline":       observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore),
		"unparsed leaf": {Chain: []*chain.Cert{unparsed()}, CheckedAt: time.Now(), ServerName: "x.example"},
	}
	for _, id := range ids {
		c := checkByID(t, id)
		if len(c.Fields()) == 0 || c.Description() == "" {
			t.Errorf("%s: no fields or description", id)
		}
		for name, obs := range observations {
			for _, p := range []*Profile{{Name: "Empty"}, testProfile()} {
				if got := c.Evaluate(obs, p); len(got) == 0 {
					t.Errorf("%s on %s observation, profile %s: no finding", id, name, p.Name)
				}
			}
		}
	}
}
