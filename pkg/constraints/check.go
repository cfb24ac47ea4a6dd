// Package constraints holds the device profile model and the checks that
// compare an Observation of a server against a device's limits. Each check
// lives in a file of its own, named after its ID, and registers itself; the
// engine never lists checks by hand.
package constraints

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/certlint/certlint/pkg/chain"
)

// Severity is the outcome of one check for one device.
type Severity string

// The severities, from best to worst; skip means the check could not apply.
const (
	Pass Severity = "pass"
	Skip Severity = "skip"
	Warn Severity = "warn"
	Fail Severity = "fail"
)

// rank orders severities for verdicts: fail beats warn beats pass.
func (s Severity) rank() int {
	switch s {
	case Fail:
		return 3
	case Warn:
		return 2
	case Pass:
		return 1
	}
	return 0
}

// Finding is the result of one check for one device: which certificate or
// setting, the device's limit and the measured value, and where the limit
// comes from. CertIndex is -1 when no single certificate is at fault.
type Finding struct {
	Check      string      `json:"check"`
	Severity   Severity    `json:"severity"`
	CertIndex  int         `json:"cert_index"`
	Message    string      `json:"message"`
	Limit      interface{} `json:"limit,omitempty"`
	Actual     interface{} `json:"actual,omitempty"`
	Sources    []string    `json:"sources,omitempty"`
	Confidence string      `json:"confidence,omitempty"`
	// Fix says what to do about a failure, when something can be done.
	Fix string `json:"fix,omitempty"`
}

// Check is one rule that compares an observation with a device profile.
type Check interface {
	// ID is the stable name of the check (cert-size), used in reports and
	// by CI scripts.
	ID() string
	// Description says in one line what the check measures.
	Description() string
	// Fields lists the profile fields the check reads; their sources are
	// cited in its findings.
	Fields() []string
	// Evaluate returns at least one finding: pass, warn, fail, or skip with
	// the reason it could not apply.
	Evaluate(obs *chain.Observation, p *Profile) []Finding
}

var (
	registryMu sync.Mutex
	registry   = map[string]Check{}
)

// Register adds a check to the registry. Each check file calls it from init;
// registering an ID twice is a programming error and panics at start-up.
func Register(c Check) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[c.ID()]; dup {
		panic(fmt.Sprintf("constraints: check %q registered twice", c.ID()))
	}
	registry[c.ID()] = c
}

// Checks returns every registered check in a stable order (by ID).
func Checks() []Check {
	registryMu.Lock()
	defer registryMu.Unlock()
	list := make([]Check, 0, len(registry))
	for _, c := range registry {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID() < list[j].ID() })
	return list
}

// DeviceResult is the verdict of one device on one observation.
type DeviceResult struct {
	Device   string    `json:"device"`
	Name     string    `json:"name"`
	Firmware string    `json:"firmware,omitempty"`
	Verdict  Severity  `json:"verdict"`
	Findings []Finding `json:"findings"`
}

// Evaluate runs every registered check of the profile against the
// observation. Findings are cited with the profile's sources for the fields
// each check reads, and a failure the device only warns about (WarnOnly)
// becomes a warning that quotes what the device does.
func Evaluate(obs *chain.Observation, p *Profile) DeviceResult {
	res := DeviceResult{Device: p.Selector(), Name: p.Name, Firmware: p.Firmware, Verdict: Pass}
	pinning, pins := PinBypass(obs, p)
	for _, c := range Checks() {
		refs, confidence := p.SourcesFor(c.Fields()...)
		findings := c.Evaluate(obs, p)
		if pins && slices.Contains(pinning.Bypasses, c.ID()) {
			// The device pins instead of validating: what this check
			// measures is not looked at in that mode.
			findings = skip(fmt.Sprintf("not applied: %s holds a pin (%s) and in that mode does not check this (trust.pins)", p.Name, pinning.Call))
		}
		if pins && slices.Contains(pinning.LeafOnly, c.ID()) {
			findings = leafOnly(findings, p, pinning)
		}
		for _, f := range findings {
			f.Check = c.ID()
			if f.Confidence == "" && f.Severity != Skip {
				f.Confidence = confidence
			}
			if f.Sources == nil && f.Severity != Skip {
				f.Sources = citations(refs)
			}
			if behaviour, ok := p.WarnOnly[c.ID()]; ok && f.Severity == Fail {
				f.Severity = Warn
				f.Message += "; " + p.Name + " still connects: " + behaviour
			}
			if f.Severity.rank() > res.Verdict.rank() {
				res.Verdict = f.Severity
			}
			res.Findings = append(res.Findings, f)
		}
	}
	SortFindings(res.Findings)
	return res
}

// SortFindings orders findings the way a reader triages them: fail, warn,
// skip, pass; within one severity by check ID, then as the check gave them
// (chain order).
func SortFindings(fs []Finding) {
	order := map[Severity]int{Fail: 0, Warn: 1, Skip: 2, Pass: 3}
	sort.SliceStable(fs, func(i, j int) bool {
		if oi, oj := order[fs[i].Severity], order[fs[j].Severity]; oi != oj {
			return oi < oj
		}
		return fs[i].Check < fs[j].Check
	})
}

func citations(refs []SourceRef) []string {
	var out []string
	for _, r := range refs {
		s := r.Ref
		if r.URL != "" {
			if s != "" {
				s += " — "
			}
			s += r.URL
		}
		out = append(out, s)
	}
	return out
}
