// Package report holds the result of a certlint run and renders it: one
// Report value, one file per output format, no checking logic.
package report

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/pin"
)

// Schema names the JSON format; it changes only with an incompatible change.
const Schema = "certlint/v1"

// Verdicts of a device, a target and a run. VerdictError means the check
// could not be done (DNS, dial, unreadable input).
const (
	VerdictPass  = "pass"
	VerdictWarn  = "warn"
	VerdictFail  = "fail"
	VerdictError = "error"
)

// Report is the result of one run: one TargetReport per (target, address).
type Report struct {
	Schema  string         `json:"schema"`
	Verdict string         `json:"verdict"`
	Reports []TargetReport `json:"reports"`
}

// TargetReport is what certlint found for one target at one address.
type TargetReport struct {
	Target     string         `json:"target"`
	Host       string         `json:"host"`
	Port       int            `json:"port"`
	ServerName string         `json:"servername"`
	CNAMEs     []string       `json:"cnames"`
	Address    string         `json:"address"`
	Offline    bool           `json:"offline,omitempty"`
	CheckedAt  time.Time      `json:"checked_at"`
	TLS        *TLS           `json:"tls,omitempty"`
	Chain      []Cert         `json:"chain"`
	Devices    []DeviceReport `json:"devices"`
	Notes      []string       `json:"notes,omitempty"`
	Verdict    string         `json:"verdict"`
	Error      string         `json:"error"`
	// Changes are the differences from a baseline run (--baseline), set by
	// Report.Diff; in JSON always a list, empty without a baseline.
	Changes []Change `json:"changes"`
	// Served is the chain exactly as the server sent it, kept only when
	// asked (certlint.Request.KeepServed, for --save-chain); not in JSON.
	Served []*chain.Cert `json:"-"`
}

// MarshalJSON writes every list of the report as a JSON array, never null,
// so a consumer can iterate without checking (docs/schema/certlint-v1.json).
func (t TargetReport) MarshalJSON() ([]byte, error) { return json.Marshal(t.plain()) }

// plainTargetReport is a TargetReport without its MarshalJSON method.
type plainTargetReport TargetReport

// plain is the report as MarshalJSON writes it. Encoding it directly
// (Stream does, with indentation) skips the pass encoding/json makes over
// a Marshaler's output to check and compact it.
func (t TargetReport) plain() plainTargetReport {
	p := plainTargetReport(t)
	if p.CNAMEs == nil {
		p.CNAMEs = []string{}
	}
	if p.Chain == nil {
		p.Chain = []Cert{}
	}
	if p.Devices == nil {
		p.Devices = []DeviceReport{}
	}
	if p.Changes == nil {
		p.Changes = []Change{}
	}
	return p
}

// TLS is what a handshake negotiated, or why it did not.
type TLS struct {
	Version     string `json:"version,omitempty"`
	CipherSuite string `json:"cipher_suite,omitempty"`
	Curve       string `json:"curve,omitempty"`
	Alert       string `json:"alert,omitempty"`
	Error       string `json:"error,omitempty"`
	// CertificateMessage is the server's Certificate message as received:
	// its size and the records that carried it.
	CertificateMessage *CertificateMessage `json:"certificate_message,omitempty"`
	// ClientCertificate is the server's request for a client certificate
	// (mutual TLS); absent when it did not ask.
	ClientCertificate *ClientCertificate `json:"client_certificate,omitempty"`
	// Notes are facts about how a device's hello was observed that the
	// target's notes do not already say; only on a device's tls.
	Notes []string `json:"notes,omitempty"`
}

// ClientCertificate is a server's request for a client certificate and
// what it does with a handshake that sends none.
type ClientCertificate struct {
	// Policy is required (it refused certlint's handshake without one),
	// optional (it went on without one) or unknown.
	Policy string `json:"policy"`
	// Alert is the alert of the refusal, when one was sent.
	Alert string `json:"alert,omitempty"`
	// Detail says how the policy was learned, or why it is unknown.
	Detail string `json:"detail"`
	// AcceptableCAs are the CAs the server names as issuers of the client
	// certificates it takes; absent when it names none.
	AcceptableCAs []string `json:"acceptable_cas,omitempty"`
}

// CertificateMessage is how large the server's Certificate message was and
// how the server cut it into records.
type CertificateMessage struct {
	Bytes        int   `json:"bytes"`        // body, without the 4-byte handshake header
	Certificates int   `json:"certificates"` // every certificate, also past the 64-certificate cap
	DERBytes     int   `json:"der_bytes"`
	Records      []int `json:"records,omitempty"` // plaintext length of each record carrying it; absent when not seen
}

// Cert describes one certificate of the chain as the device sees it.
type Cert struct {
	Index              int       `json:"index"`
	Role               string    `json:"role"`
	Source             string    `json:"source"`
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	DERBytes           int       `json:"der_bytes"`
	KeyType            string    `json:"key_type"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	SHA256             string    `json:"sha256"`
	// SPKISHA256 is the SHA-256 of the public key (SubjectPublicKeyInfo),
	// what a key pin names; equal across renewals that keep the key.
	SPKISHA256 string `json:"spki_sha256,omitempty"`
	SKI        string `json:"ski"`
	AKI        string `json:"aki"`
	DNSNames   int    `json:"dns_names"`
	ParseError string `json:"parse_error,omitempty"`
}

// DeviceReport is one device's verdict with every finding, passes included.
type DeviceReport struct {
	Device   string                `json:"device"`
	Name     string                `json:"name"`
	Firmware string                `json:"firmware,omitempty"`
	TLS      *TLS                  `json:"tls,omitempty"`
	Verdict  string                `json:"verdict"`
	Findings []constraints.Finding `json:"findings"`
}

// NewTargetReport builds the report of one observation and the results of
// every device on it.
func NewTargetReport(obs *chain.Observation, results []constraints.DeviceResult, hellos []*chain.HelloResult) TargetReport {
	tr := TargetReport{
		Target: obs.Target, Host: obs.Host, Port: obs.Port, ServerName: obs.ServerName,
		CNAMEs: nonNil(obs.CNAMEs), Address: obs.Address, Offline: obs.Offline,
		CheckedAt: obs.CheckedAt.UTC(), TLS: newTLS(obs.TLS), Chain: []Cert{}, Notes: obs.Notes,
		Verdict: VerdictPass,
	}
	for _, c := range obs.Chain {
		tr.Chain = append(tr.Chain, NewCert(c))
	}
	for i, res := range results {
		dr := DeviceReport{Device: res.Device, Name: res.Name, Firmware: res.Firmware, Verdict: string(res.Verdict), Findings: res.Findings}
		if i < len(hellos) && hellos[i] != nil {
			dr.TLS = newDeviceTLS(&hellos[i].Handshake, obs.TLS, tr.Notes)
		}
		if dr.Verdict == string(constraints.Skip) {
			dr.Verdict = VerdictPass
		}
		tr.Devices = append(tr.Devices, dr)
		tr.Verdict = worse(tr.Verdict, dr.Verdict)
	}
	return tr
}

// NewErrorReport is the report of a target that could not be checked; the
// caller sets CheckedAt to the run's clock.
func NewErrorReport(target string, err error) TargetReport {
	return TargetReport{Target: target, CNAMEs: []string{}, Chain: []Cert{}, Devices: []DeviceReport{}, Verdict: VerdictError, Error: err.Error()}
}

// New assembles a run's report and its overall verdict.
func New(targets []TargetReport) *Report {
	r := &Report{Schema: Schema, Verdict: VerdictPass, Reports: targets}
	if r.Reports == nil {
		r.Reports = []TargetReport{}
	}
	for _, t := range targets {
		r.Verdict = worse(r.Verdict, t.Verdict)
	}
	return r
}

// ExitCode maps the verdict to the exit-code contract: 0 every device
// passes (warnings too, unless failOnWarn), 1 some device fails, 2 some
// target could not be checked.
func (r *Report) ExitCode(failOnWarn bool) int {
	switch r.Verdict {
	case VerdictError:
		return 2
	case VerdictFail:
		return 1
	case VerdictWarn:
		if failOnWarn {
			return 1
		}
	}
	return 0
}

func rank(v string) int {
	switch v {
	case VerdictError:
		return 3
	case VerdictFail:
		return 2
	case VerdictWarn:
		return 1
	}
	return 0
}

func worse(a, b string) string {
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func newTLS(h *chain.Handshake) *TLS {
	if h == nil {
		return nil
	}
	t := &TLS{Version: h.Version, CipherSuite: h.CipherSuite, Curve: h.Curve, Alert: h.Alert, Error: h.Error}
	if m := h.Certificate; m != nil {
		t.CertificateMessage = &CertificateMessage{Bytes: m.Bytes, Certificates: m.Certs, DERBytes: m.DERBytes, Records: m.Records}
	}
	if r := h.ClientCert; r != nil {
		t.ClientCertificate = &ClientCertificate{Policy: string(r.Policy), Alert: r.Alert, Detail: r.Detail, AcceptableCAs: r.AcceptableCAs}
	}
	return t
}

// newDeviceTLS is a device hello's TLS with its notes, but for those the
// target already has (targetNotes), so that -d all does not repeat one
// sentence per device. The hello's request for a client certificate is a
// note only when the generic handshake saw none: otherwise the target's
// note says more (what the server does without one).
func newDeviceTLS(h, generic *chain.Handshake, targetNotes []string) *TLS {
	t := newTLS(h)
	for _, n := range h.Notes {
		if !slices.Contains(targetNotes, n) {
			t.Notes = append(t.Notes, n)
		}
	}
	if h.ClientCert != nil && (generic == nil || generic.ClientCert == nil) {
		t.Notes = append(t.Notes, h.ClientCert.Note())
	}
	return t
}

// NewCert describes one certificate for a report.
func NewCert(c *chain.Cert) Cert {
	return Cert{
		Index: c.Index, Role: string(c.Role), Source: string(c.Source), Subject: c.Subject, Issuer: c.Issuer,
		DERBytes: c.DERBytes(), KeyType: c.KeyType, KeyBits: c.KeyBits, SignatureAlgorithm: c.SignatureAlgorithm,
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), SHA256: c.SHA256, SKI: c.SKIHex(), AKI: c.AKIHex(),
		DNSNames: len(c.DNSNames), ParseError: c.ParseError, SPKISHA256: hex.EncodeToString(pin.NewTarget(c.Raw).Value(pin.SPKISHA256)),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
