package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
)

func init() {
	RegisterFormat("sarif", func(w io.Writer, r *Report, opts Options) error { return WriteSARIFOptions(w, r, opts) })
}

// sarifInformationURI is where a SARIF viewer links the tool name.
const sarifInformationURI = "https://github.com/certlint/certlint"

// WriteSARIF renders the report as SARIF 2.1.0 (github.com/owenrumney/go-sarif):
// one rule per registered check ID with its description, one result per
// failing (level error) or warning (level warning) finding, the target as
// the artifact location (tls://host:port, the URL as given, or the chain
// file), and target, address, device, certificate index and subject in the
// result's properties. A target that could not be checked becomes a tool
// execution notification and makes the invocation unsuccessful.
func WriteSARIF(w io.Writer, r *Report) error { return WriteSARIFOptions(w, r, Options{}) }

// WriteSARIFOptions is WriteSARIF with certlint's version
// (opts.ToolVersion) as tool.driver.version. Every result carries a
// partialFingerprints entry (sarifFingerprintKey) computed from the target,
// device, check, certificate position and limit, so code-scanning services
// recognise the same finding across runs (a renewed certificate that
// breaks the same limit stays the same alert).
func WriteSARIFOptions(w io.Writer, r *Report, opts Options) error {
	sr, err := newSARIFRun(opts)
	if err != nil {
		return err
	}
	for _, t := range r.Reports {
		sr.add(t)
	}
	return sr.write(w)
}

// sarifRun is a SARIF log being built: its one run, with every rule, and
// the invocation that collects targets that could not be checked.
type sarifRun struct {
	log       *sarif.Report
	run       *sarif.Run
	inv       *sarif.Invocation
	ruleIndex map[string]int
}

func newSARIFRun(opts Options) (*sarifRun, error) {
	log, err := sarif.New(sarif.Version210)
	if err != nil {
		return nil, fmt.Errorf("sarif: %w", err)
	}
	run := sarif.NewRunWithInformationURI("certlint", sarifInformationURI)
	version := opts.ToolVersion
	if version == "" {
		version = "devel"
	}
	run.Tool.Driver.WithVersion(version)
	ruleIndex := map[string]int{}
	for i, c := range constraints.Checks() {
		run.AddRule(c.ID()).WithDescription(c.Description()).WithName(c.ID())
		ruleIndex[c.ID()] = i
	}
	return &sarifRun{log: log, run: run, inv: run.AddInvocation(true), ruleIndex: ruleIndex}, nil
}

// add puts one target's failing and warning findings in the run as
// results, or, for a target that could not be checked, a notification.
func (s *sarifRun) add(t TargetReport) {
	if t.Error != "" {
		failed := false
		s.inv.ExecutionSuccessful = &failed
		s.inv.ToolExecutionNotifications = append(s.inv.ToolExecutionNotifications, sarif.NewNotification().
			WithLevel("error").WithTextMessage(Clean(t.Target)+": "+Clean(t.Error)).
			WithLocations([]*sarif.Location{targetLocation(t)}))
		return
	}
	for _, d := range t.Devices {
		for _, f := range d.Findings {
			if f.Severity != constraints.Fail && f.Severity != constraints.Warn {
				continue
			}
			addResult(s.run, s.ruleIndex, t, d, f)
		}
	}
}

// write writes the log.
func (s *sarifRun) write(w io.Writer) error {
	s.log.AddRun(s.run)
	return s.log.PrettyWrite(w)
}

func addResult(run *sarif.Run, ruleIndex map[string]int, t TargetReport, d DeviceReport, f constraints.Finding) {
	level := "error"
	if f.Severity == constraints.Warn {
		level = "warning"
	}
	text := Clean(d.Device) + ": " + Clean(f.Message)
	if f.Fix != "" {
		text += " Fix: " + Clean(f.Fix)
	}
	res := run.CreateResultForRule(f.Check).WithLevel(level).WithMessage(sarif.NewTextMessage(text))
	if i, ok := ruleIndex[f.Check]; ok {
		res.WithRuleIndex(i)
	}
	res.AddLocation(targetLocation(t))
	res.WithPartialFingerPrints(map[string]interface{}{sarifFingerprintKey: fingerprint(t, d, f)})
	props := sarif.NewPropertyBag()
	props.AddString("target", Clean(t.Target))
	if t.Address != "" {
		props.AddString("address", Clean(t.Address))
	}
	props.AddString("device", Clean(d.Device))
	props.AddInteger("cert_index", f.CertIndex)
	if f.CertIndex >= 0 && f.CertIndex < len(t.Chain) {
		c := t.Chain[f.CertIndex]
		props.AddString("cert_role", c.Role)
		props.AddString("cert_subject", Clean(c.Subject))
		props.AddString("cert_sha256", c.SHA256)
	}
	if f.Limit != nil {
		props.Add("limit", f.Limit)
	}
	if f.Actual != nil {
		props.Add("actual", f.Actual)
	}
	if f.Confidence != "" {
		props.AddString("confidence", f.Confidence)
	}
	res.AttachPropertyBag(props)
}

// sarifFingerprintKey names certlint's partial fingerprint; the /v1 changes
// only if what goes into it does.
const sarifFingerprintKey = "certlintFinding/v1"

// fingerprint identifies a finding across runs: the target as given (not
// the address, which DNS rotates), the device, the check, the certificate
// position and the device's limit (two findings of one check on one
// certificate differ in it), hashed.
func fingerprint(t TargetReport, d DeviceReport, f constraints.Finding) string {
	h := sha256.Sum256([]byte(strings.Join([]string{t.Target, d.Device, f.Check, strconv.Itoa(f.CertIndex), fmt.Sprint(f.Limit)}, "\x00")))
	return hex.EncodeToString(h[:16])
}

// targetLocation names the target as a URI: SARIF wants a URI reference,
// and a bare "127.0.0.1:443" is not one.
func targetLocation(t TargetReport) *sarif.Location {
	loc := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(targetURI(t)))
	return sarif.NewLocationWithPhysicalLocation(loc)
}

func targetURI(t TargetReport) string {
	if t.Offline {
		return (&url.URL{Path: t.Target}).String()
	}
	if u, err := url.Parse(t.Target); err == nil && u.Scheme != "" && u.Host != "" {
		return u.String()
	}
	host, port := t.Host, t.Port
	if host == "" || port == 0 {
		pt, err := chain.ParseTarget(t.Target)
		if err != nil {
			return (&url.URL{Path: t.Target}).String()
		}
		host, port = pt.Host, pt.Port
	}
	return (&url.URL{Scheme: "tls", Host: net.JoinHostPort(host, strconv.Itoa(port))}).String()
}
