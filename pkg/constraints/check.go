// Package constraints holds the device profile model and the checks that
// compare an Observation of a server against a device's limits. Each check
// lives in a file of its own, named after its ID, and registers itself; the
// engine never lists checks by hand. A check declared as a Lint states its
// metadata as data and what it needs to apply (Requires), so its skip
// findings come from one place.
package constraints

import (
	"fmt"
	"slices"
	"strings"
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

// Info is what a check declares about itself when it registers.
type Info struct {
	ID          string   // stable name (cert-size), used in reports and by CI scripts
	Description string   // one line: what the check measures
	Fields      []string // the profile fields it reads; their sources cite its findings
}

// Lint is a check declared as data, the way zlint declares its lints: what
// it is (Info), what it needs to judge a device (Requires: the first unmet
// requirement is its skip finding, so every check skips the same way) and
// what it measures when it applies (Execute).
type Lint struct {
	Info     Info
	Requires []Requirement
	Execute  func(obs *chain.Observation, p *Profile) []Finding
}

// Requirement is one condition a check needs before it can judge a device
// on an observation: it returns "" when met, otherwise why the check is
// skipped.
type Requirement func(obs *chain.Observation, p *Profile) string

// ID returns Info.ID.
func (l *Lint) ID() string { return l.Info.ID }

// Description returns Info.Description.
func (l *Lint) Description() string { return l.Info.Description }

// Fields returns Info.Fields.
func (l *Lint) Fields() []string { return l.Info.Fields }

// Applies returns "" when the check can judge p on obs, otherwise the
// reason it cannot: the first unmet requirement.
func (l *Lint) Applies(obs *chain.Observation, p *Profile) string {
	for _, r := range l.Requires {
		if why := r(obs, p); why != "" {
			return why
		}
	}
	return ""
}

// Evaluate skips with the reason the check does not apply, or executes it.
func (l *Lint) Evaluate(obs *chain.Observation, p *Profile) []Finding {
	if why := l.Applies(obs, p); why != "" {
		return skip(why)
	}
	return l.Execute(obs, p)
}

// limitKnown requires the profile to give one of the limits (a positive
// number); without any the check skips: "NAME has no known WHAT".
func limitKnown(what string, limits ...func(p *Profile) int) Requirement {
	return func(_ *chain.Observation, p *Profile) string {
		for _, limit := range limits {
			if limit(p) > 0 {
				return ""
			}
		}
		return p.Name + " has no known " + what
	}
}

// profileLists requires the profile to list the values the check compares
// with; without them the check skips: "the NAME profile lists no WHAT".
func profileLists(what string, list func(p *Profile) []string) Requirement {
	return func(_ *chain.Observation, p *Profile) string {
		if len(list(p)) > 0 {
			return ""
		}
		return "the " + p.Name + " profile lists no " + what
	}
}

// trustModelKnown requires the profile to say how the device trusts a
// chain (trust.model).
func trustModelKnown(_ *chain.Observation, p *Profile) string {
	if p.Trust.Model == "" {
		return "the " + p.Name + " profile does not say how the device trusts a chain"
	}
	return ""
}

// certsServed requires certificates from the server; reason is the skip.
func certsServed(reason string) Requirement {
	return given(reason, func(obs *chain.Observation) bool { return len(obs.Served()) > 0 })
}

// given requires an input the user gives (has reports whether it is
// there); reason is the skip and says how to give it.
func given(reason string, has func(obs *chain.Observation) bool) Requirement {
	return func(obs *chain.Observation, _ *Profile) string {
		if has(obs) {
			return ""
		}
		return reason
	}
}

var (
	registryMu sync.Mutex
	registry   = map[string]Check{}
	sorted     []Check // registry by ID; nil after a Register
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
	sorted = nil
}

// Checks returns every registered check in a stable order (by ID).
func Checks() []Check {
	return slices.Clone(registered())
}

// registered is Checks without the copy: sorted once, shared, read-only.
func registered() []Check {
	registryMu.Lock()
	defer registryMu.Unlock()
	if sorted == nil {
		sorted = make([]Check, 0, len(registry))
		for _, c := range registry {
			sorted = append(sorted, c)
		}
		slices.SortFunc(sorted, func(a, b Check) int { return strings.Compare(a.ID(), b.ID()) })
	}
	return sorted
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
	checks := registered()
	res := DeviceResult{Device: p.Selector(), Name: p.Name, Firmware: p.Firmware, Verdict: Pass}
	scratch := findingsPool.Get().(*[]Finding)
	all := (*scratch)[:0]
	pinning, pins := PinBypass(obs, p)
	for _, c := range checks {
		findings := c.Evaluate(obs, p)
		if pins && slices.Contains(pinning.Bypasses, c.ID()) {
			// The device pins instead of validating: what this check
			// measures is not looked at in that mode.
			findings = skip(fmt.Sprintf("not applied: %s holds a pin (%s) and in that mode does not check this (trust.pins)", p.Name, pinning.Call))
		}
		if pins && slices.Contains(pinning.LeafOnly, c.ID()) {
			findings = leafOnly(findings, p, pinning)
		}
		// The sources of the fields the check reads, looked up once for
		// all its findings (which share the list: nothing changes it).
		var ci cited
		var looked bool
		for _, f := range findings {
			f.Check = c.ID()
			if f.Severity != Skip && (f.Confidence == "" || f.Sources == nil) && !looked {
				ci, looked = p.cite(c), true
			}
			if f.Confidence == "" && f.Severity != Skip {
				f.Confidence = ci.confidence
			}
			if f.Sources == nil && f.Severity != Skip {
				f.Sources = ci.sources
			}
			if behaviour, ok := p.WarnOnly[c.ID()]; ok && f.Severity == Fail {
				f.Severity = Warn
				f.Message += "; " + p.Name + " still connects: " + behaviour
			}
			if f.Severity.rank() > res.Verdict.rank() {
				res.Verdict = f.Severity
			}
			all = append(all, f)
		}
	}
	res.Findings = sortedFindings(all)
	clear(all)
	*scratch = all[:0]
	findingsPool.Put(scratch)
	return res
}

// findingsPool holds the buffers Evaluate gathers a device's findings in
// before copying them, in order, into a slice of the right size.
var findingsPool = sync.Pool{New: func() any { return new([]Finding) }}

// SortFindings orders findings the way a reader triages them: fail, warn,
// skip, pass; within one severity by check ID, then as the check gave them
// (chain order).
func SortFindings(fs []Finding) {
	copy(fs, sortedFindings(fs))
}

// sortedFindings returns a sorted copy of fs (see SortFindings). Findings
// made in check-ID order, as Evaluate makes them, need only the grouping
// by severity (a comparison sort moved the large Finding values about a
// hundred times a device).
func sortedFindings(fs []Finding) []Finding {
	out := make([]Finding, 0, len(fs))
	var ends [4]int
	for t := range ends {
		for _, f := range fs {
			if triage(f.Severity) == t {
				out = append(out, f)
			}
		}
		ends[t] = len(out)
	}
	byCheck := func(a, b Finding) int { return strings.Compare(a.Check, b.Check) }
	start := 0
	for _, end := range ends {
		if group := out[start:end]; !slices.IsSortedFunc(group, byCheck) {
			slices.SortStableFunc(group, byCheck)
		}
		start = end
	}
	return out
}

// triage is a severity's place in SortFindings: fail, warn, skip, pass.
func triage(s Severity) int {
	switch s {
	case Fail:
		return 0
	case Warn:
		return 1
	case Skip:
		return 2
	case Pass:
		return 3
	}
	return 0
}

func citations(refs []SourceRef) []string {
	if len(refs) == 0 {
		return nil
	}
	out := make([]string, len(refs))
	for i, r := range refs {
		switch {
		case r.URL == "":
			out[i] = r.Ref
		case r.Ref == "":
			out[i] = r.URL
		default:
			out[i] = r.Ref + " — " + r.URL
		}
	}
	return out
}
