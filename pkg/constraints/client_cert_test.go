package constraints

import (
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// clientBundle is a --client-cert file of the given size (as the device
// stores it) holding the certificates.
func clientBundle(bytes int, certs ...*testpki.Cert) *chain.CAFile {
	f := caFileOf("pem", certs...)
	f.Path = "device-cert.pem"
	if bytes > 0 {
		f.Bytes = bytes
	}
	return f
}

func TestClientCert(t *testing.T) {
	k := pki()
	p := testProfile()
	p.Client.CertMaxBytes = 1475
	p.Sources["client.cert_max_bytes"] = []SourceRef{{Ref: "ST community, accepted answer by ST", Confidence: "vendor-forum"}}
	noLimit := testProfile()
	rsaOnly := testProfile()
	rsaOnly.Certificates.KeyTypes = []string{"rsa"}
	rsa2048Max := testProfile()
	rsa2048Max.Certificates.RSAMaxBits = 2048
	at2020 := time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		bundle *chain.CAFile
		p      *Profile
		at     time.Time
		want   []want
	}{
		{"no --client-cert", nil, p, time.Now(), []want{{Severity: Skip, CertIndex: -1, Contains: []string{"--client-cert"}}}},
		{"small leaf fits", clientBundle(1200, k.leaf), p, time.Now(), []want{
			{Severity: Pass, CertIndex: -1, Limit: 1475, Actual: 1200, Contains: []string{"1,200 bytes", "1,475"}},
			{Severity: Pass, CertIndex: -1, Contains: []string{"RSA-2,048"}},
			{Severity: Pass, CertIndex: -1, Contains: []string{"valid from"}},
		}},
		{"leaf plus CA is too big (seed 000's 1,475-byte slot)", clientBundle(0, k.leaf, k.inter), p, time.Now(), []want{
			{Severity: Fail, CertIndex: -1, Limit: 1475, Contains: []string{"device-cert.pem", "at most 1,475 bytes"}, Fix: "alone"},
			{Severity: Pass, CertIndex: -1},
			{Severity: Pass, CertIndex: -1},
			{Severity: Pass, CertIndex: -1},
		}},
		{"big leaf alone is too big", clientBundle(0, k.bigLeaf), p, time.Now(), []want{
			{Severity: Fail, CertIndex: -1, Limit: 1475, Fix: "ECDSA P-256"},
			{Severity: Pass, CertIndex: -1},
			{Severity: Pass, CertIndex: -1},
		}},
		{"no known size limit", clientBundle(5000, k.leaf), noLimit, time.Now(), []want{
			{Severity: Skip, CertIndex: -1, Contains: []string{"no size limit"}},
			{Severity: Pass, CertIndex: -1},
			{Severity: Pass, CertIndex: -1},
		}},
		{"ECDSA device key on an RSA-only device", clientBundle(700, k.ecLeaf), rsaOnly, time.Now(), []want{
			{Severity: Skip, CertIndex: -1},
			{Severity: Fail, CertIndex: -1, Actual: "ecdsa-P-256", Contains: []string{"ECDSA P-256", "only rsa"}, Fix: "rsa"},
			{Severity: Pass, CertIndex: -1},
		}},
		{"RSA-4096 device key over the limit", clientBundle(1400, k.inter4096), rsa2048Max, time.Now(), []want{
			{Severity: Skip, CertIndex: -1},
			{Severity: Fail, CertIndex: -1, Limit: 2048, Actual: "rsa-4096", Contains: []string{"RSA-4,096", "at most 2,048 bits"}},
			{Severity: Pass, CertIndex: -1},
		}},
		{"expired at the device clock", clientBundle(1200, k.expiredLeaf), p, time.Now(), []want{
			{Severity: Pass, CertIndex: -1},
			{Severity: Pass, CertIndex: -1},
			{Severity: Fail, CertIndex: -1, Contains: []string{"expired on 2019-01-01"}, Fix: "new certificate"},
		}},
		{"valid at --at in 2018", clientBundle(1200, k.expiredLeaf), p, at2020.AddDate(-2, 0, 0), []want{
			{Severity: Pass, CertIndex: -1},
			{Severity: Pass, CertIndex: -1},
			{Severity: Pass, CertIndex: -1, Contains: []string{"valid from 2018-01-01 to 2019-01-01"}},
		}},
		{"not yet valid", clientBundle(1200, k.futureLeaf), p, time.Now(), []want{
			{Severity: Pass, CertIndex: -1},
			{Severity: Pass, CertIndex: -1},
			{Severity: Fail, CertIndex: -1, Contains: []string{"not valid until"}},
		}},
	}
	c := checkByID(t, "client-cert")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obs := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
			obs.CheckedAt = tc.at
			obs.ClientCert = tc.bundle
			got := c.Evaluate(obs, tc.p)
			assertFindings(t, got, tc.want)
		})
	}
}

// TestClientCertCitesItsOwnLimit: the size finding cites the client slot's
// source, not the key-type sources the check also reads.
func TestClientCertCitesItsOwnLimit(t *testing.T) {
	k := pki()
	p := testProfile()
	p.Client.CertMaxBytes = 1475
	p.Sources["client.cert_max_bytes"] = []SourceRef{{Ref: "ST client slot answer", Confidence: "vendor-forum"}}
	obs := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
	obs.ClientCert = clientBundle(0, k.leaf, k.inter)
	res := Evaluate(obs, p)
	for _, f := range res.Findings {
		if f.Check != "client-cert" || f.Limit != 1475 {
			continue
		}
		if len(f.Sources) != 1 || f.Sources[0] != "ST client slot answer" || f.Confidence != "vendor-forum" {
			t.Errorf("size finding cites %v (%s)", f.Sources, f.Confidence)
		}
		return
	}
	t.Fatal("no client-cert size finding")
}

// TestClientCertServerRequest: without --client-cert the check judges what
// the server asks of the device's own certificate: a server that requires
// one (or asks and was not heard to go on without one) is a warning that
// names the device's slot when it is known; a server that only asks, or
// does not ask, is a skip that says which.
func TestClientCertServerRequest(t *testing.T) {
	k := pki()
	slot := testProfile()
	slot.Client.CertMaxBytes = 1475
	slot.Sources["client.cert_max_bytes"] = []SourceRef{{Ref: "ST community, accepted answer by ST", Confidence: "vendor-forum"}}
	noSlot := testProfile()
	required := &chain.ClientCertRequest{Policy: chain.ClientCertRequired, Alert: "certificate_required", Detail: "refused"}
	requiredCAs := &chain.ClientCertRequest{Policy: chain.ClientCertRequired, Detail: "refused", AcceptableCAs: []string{"CN=Device CA"}}
	optional := &chain.ClientCertRequest{Policy: chain.ClientCertOptional, Detail: "went on"}
	unknown := &chain.ClientCertRequest{Policy: chain.ClientCertUnknown, Detail: "said nothing for 1s"}
	cases := []struct {
		name    string
		offline bool
		generic *chain.ClientCertRequest // the generic handshake's request
		hello   *chain.ClientCertRequest // the device hello's request
		p       *Profile
		want    want
	}{
		{"requires, slot known", false, required, nil, slot, want{Severity: Warn, CertIndex: -1, Limit: 1475,
			Contains: []string{"requires a client certificate", "alert certificate_required", "at most 1,475 bytes", "--client-cert FILE"}, Fix: "--client-cert FILE"}},
		{"requires, no known limit", false, required, nil, noSlot, want{Severity: Warn, CertIndex: -1,
			Contains: []string{"requires a client certificate", "no limit is known", "--client-cert FILE"}}},
		{"requires, names the device CA", false, requiredCAs, nil, slot, want{Severity: Warn, CertIndex: -1, Limit: 1475, Fix: "issued by CN=Device CA"}},
		{"asks, policy unknown", false, unknown, nil, slot, want{Severity: Warn, CertIndex: -1, Limit: 1475,
			Contains: []string{"asks for a client certificate", "unknown", "said nothing for 1s"}}},
		{"only the device hello saw the request", false, nil, unknown, noSlot, want{Severity: Warn, CertIndex: -1, Contains: []string{"unknown"}}},
		{"asks, accepts none", false, optional, nil, slot, want{Severity: Skip, CertIndex: -1,
			Contains: []string{"no device certificate given", "accepts a handshake without one"}}},
		{"does not ask", false, nil, nil, slot, want{Severity: Skip, CertIndex: -1, Contains: []string{"no device certificate given", "does not ask"}}},
		{"offline chain", true, nil, nil, slot, want{Severity: Skip, CertIndex: -1, Contains: []string{"no device certificate given"}}},
	}
	c := checkByID(t, "client-cert")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obs := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
			if !tc.offline {
				obs.Offline = false
				obs.TLS = &chain.Handshake{Version: "TLS1.2", ClientCert: tc.generic}
				obs.Hellos = map[string]*chain.HelloResult{tc.p.HelloKey(): {Handshake: chain.Handshake{Version: "TLS1.2", ClientCert: tc.hello}}}
			}
			got := c.Evaluate(obs, tc.p)
			assertFindings(t, got, []want{tc.want})
			if got[0].Severity == Warn && got[0].Limit != nil && (len(got[0].Sources) != 1 || got[0].Confidence != "vendor-forum") {
				t.Errorf("warning cites %v (%s), want the slot's source", got[0].Sources, got[0].Confidence)
			}
		})
	}
}

// TestClientCertGivenSaysTheServerAsks: with --client-cert the findings
// are as before, and the first says what the server asks.
func TestClientCertGivenSaysTheServerAsks(t *testing.T) {
	k := pki()
	p := testProfile()
	p.Client.CertMaxBytes = 1475
	obs := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
	obs.Offline = false
	obs.TLS = &chain.Handshake{Version: "TLS1.3", ClientCert: &chain.ClientCertRequest{Policy: chain.ClientCertRequired, Alert: "certificate_required"}}
	obs.ClientCert = clientBundle(1200, k.leaf)
	assertFindings(t, checkByID(t, "client-cert").Evaluate(obs, p), []want{
		{Severity: Pass, CertIndex: -1, Limit: 1475, Actual: 1200, Contains: []string{"1,200 bytes", "the server requires a client certificate"}},
		{Severity: Pass, CertIndex: -1},
		{Severity: Pass, CertIndex: -1},
	})
}

// TestClientCertIssuerNamedByTheServer: when the server names the CAs
// whose client certificates it takes, the bundle must hold one of them or
// a certificate issued by one; otherwise it is a warning.
func TestClientCertIssuerNamedByTheServer(t *testing.T) {
	k := pki()
	p := testProfile()
	interDN := chain.NewCert(k.inter.DER).Subject
	rootDN := chain.NewCert(k.root.DER).Subject
	cases := []struct {
		name   string
		bundle *chain.CAFile
		cas    []string
		want   want
	}{
		{"the leaf's issuer is named", clientBundle(1200, k.leaf), []string{"CN=Other CA", interDN}, want{Severity: Pass, CertIndex: -1, Actual: interDN}},
		{"the bundle's intermediate chains to the named root", clientBundle(2400, k.leaf, k.inter), []string{rootDN}, want{Severity: Pass, CertIndex: -1, Actual: rootDN}},
		{"no certificate of the bundle is named or issued by one", clientBundle(1200, k.leaf), []string{rootDN}, want{Severity: Warn, CertIndex: -1, Actual: interDN,
			Contains: []string{"issued by " + rootDN, "may refuse"}, Fix: "CA the server names"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obs := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
			obs.Offline = false
			obs.TLS = &chain.Handshake{Version: "TLS1.2", ClientCert: &chain.ClientCertRequest{Policy: chain.ClientCertRequired, AcceptableCAs: tc.cas}}
			obs.ClientCert = tc.bundle
			got := checkByID(t, "client-cert").Evaluate(obs, p)
			assertFindings(t, got[len(got)-1:], []want{tc.want})
		})
	}
}
