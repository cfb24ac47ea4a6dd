package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/certlint/certlint/pkg/constraints"
)

// Kinds of Change, stable names CI scripts may match on.
const (
	ChangeNewTarget            = "new-target"            // no report for this target in the baseline
	ChangeLeafReplaced         = "leaf-replaced"         // a different leaf certificate (by SHA-256)
	ChangeIntermediateReplaced = "intermediate-replaced" // a different certificate at an intermediate position
	ChangeIntermediateAdded    = "intermediate-added"    // the server sends more certificates
	ChangeIntermediateRemoved  = "intermediate-removed"  // the server sends fewer certificates
	ChangeCertSize             = "cert-size"             // a certificate at the same position grew or shrank
	ChangeChainSize            = "chain-size"            // the served chain grew or shrank in total
	ChangeKey                  = "key-changed"           // key type or size at the same position changed
	ChangeRoot                 = "root-changed"          // the anchor root is another certificate
	ChangeDeviceFails          = "device-now-fails"      // a device that passed now fails
	ChangeDevicePasses         = "device-now-passes"     // a device that failed now passes
	ChangePinBroken            = "pin-now-broken"        // a pin a device holds matched before and does not now
)

// Change is one difference between a target's report and the same
// target's report in a baseline run. CertIndex is the chain position it
// concerns, or -1.
type Change struct {
	Kind      string `json:"kind"`
	CertIndex int    `json:"cert_index"`
	Device    string `json:"device,omitempty"`
	Old       string `json:"old,omitempty"`
	New       string `json:"new,omitempty"`
	// DeltaBytes is the growth in DER bytes (negative when it shrank), for
	// cert-size, chain-size and replacements.
	DeltaBytes int    `json:"delta_bytes,omitempty"`
	Message    string `json:"message"`
}

// LoadBaseline reads a previous `certlint check -o json` report (or a
// merged one) for Diff, keeping of each target report only what Diff
// compares (compactForDiff): a 10,000-target run with every device is
// about 1 GB of JSON, and is read one report at a time into a few MB.
func LoadBaseline(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := readBaseline(f, compactForDiff)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// ReadBaseline decodes a certlint JSON report, every field of it, and
// refuses anything else: another tool's JSON or another schema version
// would diff as "everything changed", which is worse than an error.
func ReadBaseline(r io.Reader) (*Report, error) { return readBaseline(r, nil) }

// notAReport opens the error for input that is not a certlint report.
const notAReport = "not a certlint JSON report (certlint check -o json)"

// readBaseline decodes a report document one target report at a time,
// passing each through keep when it is not nil. Its keys may come in any
// order.
func readBaseline(r io.Reader, keep func(TargetReport) TargetReport) (*Report, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", notAReport, err)
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("%s: not a JSON object", notAReport)
	}
	rep := &Report{}
	hasSchema := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", notAReport, err)
		}
		switch tok {
		case "schema":
			var schema string
			if err := dec.Decode(&schema); err != nil {
				return nil, fmt.Errorf("%s: %w", notAReport, err)
			}
			if schema != Schema {
				return nil, fmt.Errorf("schema %q, this certlint reads %q", schema, Schema)
			}
			hasSchema = true
		case "verdict":
			if err := dec.Decode(&rep.Verdict); err != nil {
				return nil, fmt.Errorf("certlint JSON report: %w", err)
			}
		case "reports":
			if err := readReportList(dec, func(t TargetReport) {
				if keep != nil {
					t = keep(t)
				}
				rep.Reports = append(rep.Reports, t)
			}); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("%s: %w", notAReport, err)
			}
		}
	}
	if !hasSchema {
		return nil, errors.New(notAReport + `: no "schema" field`)
	}
	rep.Schema = Schema
	return rep, nil
}

// readReportList decodes the "reports" array, one report at a time.
func readReportList(dec *json.Decoder, each func(TargetReport)) error {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return errors.New(`certlint JSON report: "reports" is not a list`)
	}
	for dec.More() {
		var t TargetReport
		if err := dec.Decode(&t); err != nil {
			return fmt.Errorf("certlint JSON report: %w", err)
		}
		each(t)
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("certlint JSON report: %w", err)
	}
	return nil
}

// compactForDiff keeps of a baseline report what DiffTarget reads: the
// target, address and error, the chain, and per device its verdict and,
// of its findings, the failing ones and the pin finding, each by check
// and severity only. TestCompactBaselineDiffsTheSame keeps it so.
func compactForDiff(t TargetReport) TargetReport {
	t.Notes, t.Changes, t.TLS = nil, nil, nil
	for i := range t.Devices {
		d := &t.Devices[i]
		var kept []constraints.Finding
		for _, f := range d.Findings {
			if f.Severity == constraints.Fail || f.Check == "pin" {
				kept = append(kept, constraints.Finding{Check: f.Check, Severity: f.Severity})
			}
		}
		d.Findings, d.TLS = kept, nil
	}
	return t
}

// Diff compares every report with the baseline's report of the same target
// and address, sets its Changes and returns how many changes there are in
// all. A target whose address moved (DNS rotation) is compared with the
// baseline's first report of that target.
func (r *Report) Diff(baseline *Report) int {
	index := indexBaseline(baseline)
	n := 0
	for i := range r.Reports {
		cur := &r.Reports[i]
		cur.Changes = DiffTarget(index.find(cur), *cur)
		n += len(cur.Changes)
	}
	return n
}

// baselineIndex holds a baseline's reports by target.
type baselineIndex map[string][]*TargetReport

func indexBaseline(b *Report) baselineIndex {
	index := baselineIndex{}
	for i := range b.Reports {
		t := &b.Reports[i]
		index[t.Target] = append(index[t.Target], t)
	}
	return index
}

// find returns the baseline's report of the same target and address, else
// its first report of the target, else nil.
func (index baselineIndex) find(cur *TargetReport) *TargetReport {
	same := index[cur.Target]
	for _, b := range same {
		if b.Address == cur.Address {
			return b
		}
	}
	if len(same) > 0 {
		return same[0]
	}
	return nil
}

// DiffTarget lists what changed from old to cur (old nil: the target is
// new). When either could not be checked nothing is compared: the error
// already says so, and a missing chain is not a replaced one.
func DiffTarget(old *TargetReport, cur TargetReport) []Change {
	if old == nil {
		return []Change{{Kind: ChangeNewTarget, CertIndex: -1, Message: "not in the baseline"}}
	}
	if old.Error != "" || cur.Error != "" {
		return nil
	}
	changes := diffChain(old.Chain, cur.Chain)
	changes = append(changes, diffRoot(old.Chain, cur.Chain)...)
	return append(changes, diffDevices(old.Devices, cur.Devices, leafKey(old.Chain, cur.Chain))...)
}

// leafKey says what the served leaf's change did to its key, for the
// "pin now broken" line: "" when the leaf is the same or the baseline has
// no key digests.
func leafKey(oldChain, curChain []Cert) string {
	o, c := served(oldChain), served(curChain)
	if len(o) == 0 || len(c) == 0 || o[0].SHA256 == c[0].SHA256 {
		return ""
	}
	return sameKey(o[0], c[0])
}

// served returns the certificates the server sent, in order; the anchor
// root found elsewhere is compared on its own.
func served(chain []Cert) []Cert {
	var out []Cert
	for _, c := range chain {
		if c.Source == "" || c.Source == "served" {
			out = append(out, c)
		}
	}
	return out
}

func diffChain(oldChain, curChain []Cert) []Change {
	var changes []Change
	oldServed, curServed := served(oldChain), served(curChain)
	for i := 0; i < len(oldServed) || i < len(curServed); i++ {
		switch {
		case i >= len(curServed):
			o := oldServed[i]
			changes = append(changes, Change{Kind: ChangeIntermediateRemoved, CertIndex: i, Old: o.Subject, DeltaBytes: -o.DERBytes,
				Message: fmt.Sprintf("certificate #%d (%s) is no longer sent", i, o.Subject)})
		case i >= len(oldServed):
			c := curServed[i]
			changes = append(changes, Change{Kind: ChangeIntermediateAdded, CertIndex: i, New: c.Subject, DeltaBytes: c.DERBytes,
				Message: fmt.Sprintf("certificate #%d (%s, %s bytes) is sent now", i, c.Subject, constraints.Thousands(c.DERBytes))})
		default:
			changes = append(changes, diffCert(i, oldServed[i], curServed[i])...)
		}
	}
	oldBytes, curBytes := chainBytes(oldServed), chainBytes(curServed)
	if oldBytes != curBytes {
		changes = append(changes, Change{Kind: ChangeChainSize, CertIndex: -1, Old: constraints.Thousands(oldBytes), New: constraints.Thousands(curBytes), DeltaBytes: curBytes - oldBytes,
			Message: fmt.Sprintf("served chain %s: %s → %s bytes", growth(curBytes-oldBytes), constraints.Thousands(oldBytes), constraints.Thousands(curBytes))})
	}
	return changes
}

func diffCert(i int, o, c Cert) []Change {
	if o.SHA256 == c.SHA256 {
		return nil
	}
	kind, role := ChangeIntermediateReplaced, "intermediate"
	if i == 0 {
		kind, role = ChangeLeafReplaced, "leaf"
	}
	changes := []Change{{Kind: kind, CertIndex: i, Old: o.Subject, New: c.Subject, DeltaBytes: c.DERBytes - o.DERBytes,
		Message: fmt.Sprintf("%s #%d replaced: %s (sha256 %s) → %s (sha256 %s)%s", role, i, o.Subject, short(o.SHA256), c.Subject, short(c.SHA256), sameKey(o, c))}}
	if o.DERBytes != c.DERBytes {
		changes = append(changes, Change{Kind: ChangeCertSize, CertIndex: i, Old: constraints.Thousands(o.DERBytes), New: constraints.Thousands(c.DERBytes), DeltaBytes: c.DERBytes - o.DERBytes,
			Message: fmt.Sprintf("%s #%d %s: %s → %s bytes", role, i, growth(c.DERBytes-o.DERBytes), constraints.Thousands(o.DERBytes), constraints.Thousands(c.DERBytes))})
	}
	if o.KeyType != c.KeyType || o.KeyBits != c.KeyBits {
		changes = append(changes, Change{Kind: ChangeKey, CertIndex: i, Old: keyName(o), New: keyName(c),
			Message: fmt.Sprintf("%s #%d key: %s → %s", role, i, keyName(o), keyName(c))})
	}
	return changes
}

// diffRoot compares the anchor roots (the last certificate with role root,
// served or not): a root migration such as Baltimore CyberTrust Root →
// DigiCert Global Root G2 means every device must hold the new root.
func diffRoot(oldChain, curChain []Cert) []Change {
	o, c := root(oldChain), root(curChain)
	switch {
	case o == nil && c == nil:
		return nil
	case o == nil:
		return []Change{{Kind: ChangeRoot, CertIndex: c.Index, New: c.Subject, Message: fmt.Sprintf("root now %s (none found before)", c.Subject)}}
	case c == nil:
		return []Change{{Kind: ChangeRoot, CertIndex: -1, Old: o.Subject, Message: fmt.Sprintf("no root found now (was %s)", o.Subject)}}
	case o.Subject != c.Subject:
		return []Change{{Kind: ChangeRoot, CertIndex: c.Index, Old: o.Subject, New: c.Subject, Message: fmt.Sprintf("root changed: %s → %s", o.Subject, c.Subject)}}
	case o.SHA256 != c.SHA256:
		return []Change{{Kind: ChangeRoot, CertIndex: c.Index, Old: o.Subject, New: c.Subject,
			Message: fmt.Sprintf("root %s is another certificate with the same subject (sha256 %s → %s)", c.Subject, short(o.SHA256), short(c.SHA256))}}
	}
	return nil
}

func root(chain []Cert) *Cert {
	for i := len(chain) - 1; i >= 0; i-- {
		if chain[i].Role == "root" {
			return &chain[i]
		}
	}
	return nil
}

func diffDevices(oldDevices, curDevices []DeviceReport, keyChange string) []Change {
	was := map[string]string{}
	pinHeld := map[string]bool{}
	for _, d := range oldDevices {
		was[d.Device] = d.Verdict
		pinHeld[d.Device] = pinSeverity(d) == "pass" || pinSeverity(d) == "warn"
	}
	var changes []Change
	for _, d := range curDevices {
		before, ok := was[d.Device]
		if !ok {
			continue
		}
		failsNow, failedBefore := d.Verdict == VerdictFail, before == VerdictFail
		if pinHeld[d.Device] && pinSeverity(d) == "fail" {
			changes = append(changes, Change{Kind: ChangePinBroken, CertIndex: 0, Device: d.Device, Old: pinSeverity(d), New: "fail",
				Message: fmt.Sprintf("%s: pin now broken: the pin it holds matched the baseline's certificate and does not match what is served now%s", d.Device, keyChange)})
		}
		switch {
		case failsNow && !failedBefore:
			changes = append(changes, Change{Kind: ChangeDeviceFails, CertIndex: -1, Device: d.Device, Old: before, New: d.Verdict,
				Message: fmt.Sprintf("%s: %s → fail%s", d.Device, before, failingChecks(d))})
		case failedBefore && !failsNow:
			changes = append(changes, Change{Kind: ChangeDevicePasses, CertIndex: -1, Device: d.Device, Old: before, New: d.Verdict,
				Message: fmt.Sprintf("%s: fail → %s", d.Device, d.Verdict)})
		}
	}
	return changes
}

// pinSeverity is the severity of a device's pin finding, "" without one.
func pinSeverity(d DeviceReport) string {
	for _, f := range d.Findings {
		if f.Check == "pin" {
			return string(f.Severity)
		}
	}
	return ""
}

// failingChecks names the checks a device fails, so the change line says
// why without the full report.
func failingChecks(d DeviceReport) string {
	var ids []string
	for _, f := range d.Findings {
		if f.Severity == "fail" && !containsString(ids, f.Check) {
			ids = append(ids, f.Check)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return " (" + strings.Join(ids, ", ") + ")"
}

func chainBytes(certs []Cert) int {
	n := 0
	for _, c := range certs {
		n += c.DERBytes
	}
	return n
}

// sameKey says whether a replaced certificate kept its public key, which
// decides whether a key pin (setKnownKey, sha256//) survived the renewal.
// Baselines written before spki_sha256 existed say nothing.
func sameKey(o, c Cert) string {
	switch {
	case o.SPKISHA256 == "" || c.SPKISHA256 == "":
		return ""
	case o.SPKISHA256 == c.SPKISHA256:
		return "; same public key, so a key pin still matches"
	}
	return "; new public key, so key pins break too"
}

func keyName(c Cert) string { return fmt.Sprintf("%s-%d", c.KeyType, c.KeyBits) }

func growth(delta int) string {
	if delta > 0 {
		return "grew by " + constraints.Thousands(delta)
	}
	return "shrank by " + constraints.Thousands(-delta)
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// changes prints a target's baseline changes under its header.
func (p *textPrinter) changes(changes []Change) {
	if len(changes) == 0 {
		return
	}
	p.line("  changed since the baseline:")
	for _, c := range changes {
		p.line("    %s  %s", p.paint(VerdictWarn, c.Kind), Clean(c.Message))
	}
}
