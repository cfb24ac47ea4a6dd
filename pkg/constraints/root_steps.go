package constraints

import (
	"fmt"
	"strings"
	"text/template"
)

// RootStepData is what a root-loading template (trust.load_steps,
// trust.load_snippet) may use: the root, the file certlint writes for it,
// and the device's clock.
type RootStepData struct {
	Subject    string // the root's subject name
	CommonName string
	Expires    string // notAfter, YYYY-MM-DD
	FileName   string // the file certlint writes (ca_path's base, or root.der / root.pem)
	DevicePath string // where the file goes on the device (ca_path), may be empty
	Format     string // DER or PEM, the file's encoding
	Bytes      int    // the file's size
	DERBytes   int    // the root's DER size
	PEMBytes   int    // the root's PEM size
	SKI        string // Subject Key Identifier, lower-case hex
	SKIColon   string // the same as AA:BB:…
	SKISpaced  string // the same as aa bb …
	PEM        string // the root in PEM, ending in a newline
	PEMC       string // the PEM as C string literal lines ("…\n"), for C code
	Epoch      int64  // the device's clock (--at) in Unix seconds
	RTC        string // the clock as "year, month, day, hour, minute, second" (UTC)
}

// HasRootSteps reports whether the profile says how to load a root.
func (p *Profile) HasRootSteps() bool {
	return len(p.Trust.LoadSteps) > 0 || p.Trust.LoadSnippet != ""
}

// RootSteps renders the profile's load steps and snippet for one root.
func (p *Profile) RootSteps(d RootStepData) (steps []string, snippet string, err error) {
	for i, s := range p.Trust.LoadSteps {
		out, err := renderStep(s, d)
		if err != nil {
			return nil, "", fmt.Errorf("%s: trust.load_steps[%d]: %w", p.Selector(), i, err)
		}
		steps = append(steps, out)
	}
	if p.Trust.LoadSnippet != "" {
		if snippet, err = renderStep(p.Trust.LoadSnippet, d); err != nil {
			return nil, "", fmt.Errorf("%s: trust.load_snippet: %w", p.Selector(), err)
		}
	}
	return steps, strings.TrimRight(snippet, "\n"), nil
}

func renderStep(text string, d RootStepData) (string, error) {
	t, err := template.New("step").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

// sampleRootStepData fills every field, so the loader can try a profile's
// templates and report a bad one with its line.
var sampleRootStepData = RootStepData{
	Subject: "CN=Sample Root", CommonName: "Sample Root", Expires: "2038-01-01",
	FileName: "root.pem", DevicePath: "/cert/root.pem", Format: "PEM", Bytes: 1200, DERBytes: 900, PEMBytes: 1200,
	SKI: "00", SKIColon: "00", SKISpaced: "00", PEM: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
	PEMC: "\"-----BEGIN CERTIFICATE-----\\n\"", Epoch: 1, RTC: "2026, 1, 1, 0, 0, 0",
}
