package constraints

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/pin"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "pin", Fields: []string{"trust.pins"},
			Description: "a pin the device holds matches the certificate or key it compares, and how long it will"},
		Requires: []Requirement{
			given("no pin given (--pin, or --pin-file with the pins each target's devices hold)", func(obs *chain.Observation) bool { return len(obs.Pins) > 0 }),
			func(_ *chain.Observation, p *Profile) string {
				if len(p.Trust.Pins) == 0 {
					return p.Name + " pins no certificate or key, or no source says it can (trust.pins)"
				}
				return ""
			},
			certsServed("the server sent no certificate to compare a pin with"),
		},
		Execute: pinCheck,
	})
}

// pinCompares lists the values trust.pins[].compares may take.
var pinCompares = []string{"leaf", "any"}

// pinCheck compares the pins the device holds (--pin, --pin-file) with the
// certificate the device compares them with, the way its pinning call
// does (trust.pins): BearSSL's setFingerprint hashes the first certificate
// served with SHA-1, setKnownKey takes the leaf's public key. A matching
// pin on a leaf still breaks at the next renewal; the finding says when at
// the latest, and warns within --warn-days.
func pinCheck(obs *chain.Observation, p *Profile) []Finding {
	served := obs.Served()
	var tried []string
	var held *PinState
	states := PinStates(obs.Pins, p, served)
	for i, st := range states {
		if st.Cert != nil {
			return []Finding{pinMatched(obs, p, st.Pin, st.Method, st.Cert)}
		}
		if st.Held {
			tried = append(tried, st.Pin.Name())
			if held == nil {
				held = &states[i]
			}
		}
	}
	leaf := served[0]
	if held == nil {
		f := Finding{Severity: Warn, CertIndex: -1, Actual: pinNow(p.Trust.Pins[0], leaf),
			Message: fmt.Sprintf("%s holds %s; %s cannot be one of those, so what the device compares is unknown",
				p.Name, methodList(p.Trust.Pins), pinNames(obs.Pins))}
		f.Fix = "give the pin the device holds; " + pinOptions(obs, p, leaf)
		return []Finding{f}
	}
	f := Finding{Severity: Fail, CertIndex: leaf.Index, Limit: held.Pin.Input, Actual: pinNow(held.Method, leaf)}
	f.Message = fmt.Sprintf("%s does not match %s (sha256 %s) as %s compares it", strings.Join(tried, ", "),
		leaf.Label(), shortHex(leaf.SHA256), p.Name)
	if held.Method.OnMismatch != "" {
		f.Message += "; " + held.Method.OnMismatch
	}
	f.Message += fmt.Sprintf("; to pin now: %s %s", held.Method.Call, quoteValue(pinNow(held.Method, leaf), pin.Kind(held.Method.Kind)))
	f.Fix = pinOptions(obs, p, leaf)
	return []Finding{f}
}

// PinState is how one pin fares against a served chain on a device.
type PinState struct {
	Pin pin.Pin
	// Held says the device can hold this pin: one of its methods takes
	// this kind. Method is that method (the matching one when it matches).
	Held   bool
	Method PinMethod
	// Cert is the served certificate the pin matches, nil when none.
	Cert *chain.Cert
}

// PinStates compares each pin with what the device compares, method by
// method (trust.pins), against the served certificates.
func PinStates(pins []pin.Pin, p *Profile, served []*chain.Cert) []PinState {
	out := make([]PinState, 0, len(pins))
	for _, pn := range pins {
		st := PinState{Pin: pn}
		for _, m := range p.Trust.Pins {
			if !pn.Comparable(pin.Kind(m.Kind)) {
				continue
			}
			if !st.Held {
				st.Held, st.Method = true, m
			}
			if c := matchedCert(pn, m, served); c != nil {
				st.Method, st.Cert = m, c
				break
			}
		}
		out = append(out, st)
	}
	return out
}

// matchedCert returns the served certificate the pin matches under the
// method, or nil.
func matchedCert(pn pin.Pin, m PinMethod, served []*chain.Cert) *chain.Cert {
	for i, c := range served {
		if i > 0 && m.Compares != "any" {
			break
		}
		if pn.Matches(pin.Kind(m.Kind), pin.NewTarget(c.Raw)) {
			return c
		}
	}
	return nil
}

// pinMatched is the finding of a pin that matches: a pass that says when
// the pin breaks, or a warning when that is within the warning window.
func pinMatched(obs *chain.Observation, p *Profile, pn pin.Pin, m PinMethod, c *chain.Cert) Finding {
	f := Finding{Severity: Pass, CertIndex: c.Index, Limit: pn.Input}
	f.Message = fmt.Sprintf("%s matches %s as %s compares it (%s)", pn.Name(), c.Label(), p.Name, m.Call)
	if c.NotAfter.IsZero() || obs.CheckedAt.IsZero() {
		return f
	}
	days := daysLeft(obs.CheckedAt, c.NotAfter)
	f.Actual = days
	replaced := fmt.Sprintf("is replaced by %s (%d days) at the latest", c.NotAfter.UTC().Format(dateLayout), days)
	if days < 0 {
		replaced = fmt.Sprintf("expired on %s, %d days before the check date, and is replaced any time now", c.NotAfter.UTC().Format(dateLayout), -days)
	}
	isKey := pin.Kind(m.Kind).IsKey()
	if isKey {
		f.Message += "; the certificate with this key " + replaced + ": the pin survives that renewal only if the new certificate keeps the key"
	} else {
		f.Message += "; the pin names this certificate, which " + replaced
		if c.Role == chain.RoleLeaf {
			f.Message += "; " + ceilingSentence(obs.CheckedAt)
		}
	}
	if days <= obs.PinWarnDays || days < 0 {
		f.Severity = Warn
		if isKey {
			f.Message = fmt.Sprintf("the pinned key's certificate is renewed within %d days; whether the key is kept is not known: ", max(days, 0)) + f.Message
		} else {
			f.Message = fmt.Sprintf("pin breaks within %d days: ", max(days, 0)) + f.Message
		}
		f.Fix = pinOptions(obs, p, c)
	}
	return f
}

func daysLeft(at, until time.Time) int {
	return int(math.Floor(until.Sub(at).Hours() / 24))
}

// ceilingSentence says how often a leaf pin breaks from the check date on,
// by the CA/Browser Forum schedule.
func ceilingSentence(at time.Time) string {
	now, next, ok := pin.MaxLifetime(at)
	var s string
	if ok {
		s = fmt.Sprintf("publicly trusted leaf certificates issued on %s last at most %d days, so a leaf pin breaks at least every %d days",
			at.UTC().Format(dateLayout), now.Days, now.Days)
	} else {
		s = "leaf pins break at every renewal"
	}
	if next.Days > 0 {
		s += fmt.Sprintf(", every %d days from %s", next.Days, next.Since.Format(dateLayout))
	}
	return s + " (CA/Browser Forum ballot SC081v3: 200 days from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15)"
}

// pinNow is the value to pin now under the method, in the device's syntax.
func pinNow(m PinMethod, leaf *chain.Cert) string {
	v := pin.NewTarget(leaf.Raw).Value(pin.Kind(m.Kind))
	if v == nil {
		return ""
	}
	return pin.Format(v, m.Format)
}

// PinForm is one way a device can pin a server, filled in for the
// certificate served now: the value in the device's syntax, device code,
// how long it lasts and what it costs.
type PinForm struct {
	Call  string `json:"call"`
	Kind  string `json:"kind"`
	Value string `json:"value"`
	// Code is the profile's device code with the value in it; empty when
	// the profile gives none.
	Code string `json:"code,omitempty"`
	// Lasts says when the pin breaks: at the next renewal (with the
	// certificate's notAfter) or when the key changes.
	Lasts string `json:"lasts"`
	Cost  string `json:"cost,omitempty"`
}

// PinForms returns what to pin now for each pin method of the profile,
// against the leaf served (the certificate BearSSL's calls compare), or
// nil when the device cannot pin. at is the check date: a certificate pin
// says how often leaf pins break from then on (SC081v3).
func PinForms(p *Profile, leaf *chain.Cert, at time.Time) []PinForm {
	var out []PinForm
	for _, m := range p.Trust.Pins {
		value := pinNow(m, leaf)
		if value == "" {
			continue
		}
		f := PinForm{Call: m.Call, Kind: m.Kind, Value: value, Cost: m.Cost, Code: strings.ReplaceAll(m.Code, "{value}", value)}
		if pin.Kind(m.Kind).IsKey() {
			f.Lasts = fmt.Sprintf("survives renewals that keep the key; the leaf expires %s (compare the key across renewals with --baseline)", leaf.NotAfter.UTC().Format(dateLayout))
		} else {
			f.Lasts = fmt.Sprintf("breaks at the next renewal, by %s at the latest", leaf.NotAfter.UTC().Format(dateLayout))
			if !at.IsZero() {
				f.Lasts += "; " + ceilingSentence(at)
			}
		}
		out = append(out, f)
	}
	return out
}

// pinOptions compares what the device can hold to recognise this server:
// each pin method with the value to pin now and how long it lasts, then
// an anchor (the root, or an intermediate where the device takes one),
// each with its cost on the device.
func pinOptions(obs *chain.Observation, p *Profile, leaf *chain.Cert) string {
	var opts []string
	for _, f := range PinForms(p, leaf, obs.CheckedAt) {
		o := fmt.Sprintf("%s %s — %s", f.Call, quoteValue(f.Value, pin.Kind(f.Kind)), f.Lasts)
		if f.Cost != "" {
			o += "; cost: " + f.Cost
		}
		opts = append(opts, o)
	}
	if a := anchorOption(obs, p); a != "" {
		opts = append(opts, a)
	}
	return "options: " + strings.Join(opts, " | ")
}

// anchorOption describes holding a CA instead of a pin: it survives every
// renewal under that CA, and costs a full chain validation with a clock.
func anchorOption(obs *chain.Observation, p *Profile) string {
	if p.Trust.Model == "none" {
		return ""
	}
	var cas []string
	served := obs.Served()
	if p.Trust.AcceptsIntermediateAnchor && len(served) > 1 && served[1].IsCA {
		cas = append(cas, fmt.Sprintf("the intermediate %s (%s B, expires %s)", served[1].Subject, Thousands(served[1].DERBytes()), served[1].NotAfter.UTC().Format(dateLayout)))
	}
	if a := obs.Anchor; a != nil && a.SelfSigned {
		cas = append(cas, fmt.Sprintf("the root %s (%s B, expires %s)", a.Subject, Thousands(a.DERBytes()), a.NotAfter.UTC().Format(dateLayout)))
	}
	if len(cas) == 0 {
		return ""
	}
	s := "hold " + strings.Join(cas, " or ") + " as the trust anchor instead — survives every renewal under it until it expires; cost: the CA in flash and a full chain validation"
	if verifies, known := Bool(p.Trust.VerifiesTime); verifies && known {
		s += ", and a set clock (" + p.Name + " checks validity dates)"
	}
	return s + " (`certlint root` writes it)"
}

func quoteValue(v string, k pin.Kind) string {
	if k == pin.PublicKey || k == pin.Certificate {
		return "with the leaf's " + k.Describe() + " as PEM (" + firstLine(v) + "…, whole in `certlint root` and in -o json)"
	}
	return fmt.Sprintf("%q", v)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func methodList(methods []PinMethod) string {
	var parts []string
	for _, m := range methods {
		parts = append(parts, fmt.Sprintf("%s (%s, %s)", pin.Kind(m.Kind).Describe(), m.Call, m.Compares))
	}
	return strings.Join(parts, " or ")
}

// DescribePins says in one line what pins a device takes, for `profiles
// show`: "SHA-1 certificate fingerprint of the leaf (setFingerprint, hex-spaced); …".
func DescribePins(methods []PinMethod) string {
	if len(methods) == 0 {
		return "none known"
	}
	var parts []string
	for _, m := range methods {
		parts = append(parts, fmt.Sprintf("%s of the %s (%s, %s)", pin.Kind(m.Kind).Describe(), m.Compares, m.Call, m.Format))
	}
	return strings.Join(parts, "; ")
}

func pinNames(pins []pin.Pin) string {
	var parts []string
	for _, pn := range pins {
		parts = append(parts, pn.Name()+" is a "+pn.Kind.Describe())
	}
	return strings.Join(parts, "; ")
}

func shortHex(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// PinBypass returns the pin method the device uses when it holds one of
// the observation's pins, and whether there is one. While it pins that
// way the checks in the method's Bypasses do not apply.
func PinBypass(obs *chain.Observation, p *Profile) (PinMethod, bool) {
	for _, st := range PinStates(obs.Pins, p, obs.Served()) {
		if st.Held {
			return st.Method, true
		}
	}
	return PinMethod{}, false
}

// leafOnly turns the findings about certificates other than the first
// served into skips: while pinning, the device parses only that one.
func leafOnly(findings []Finding, p *Profile, m PinMethod) []Finding {
	out := make([]Finding, 0, len(findings))
	for _, f := range findings {
		if f.CertIndex > 0 && f.Severity != Skip {
			f = Finding{Severity: Skip, CertIndex: f.CertIndex,
				Message: fmt.Sprintf("not applied to certificate #%d: %s holds a pin (%s) and in that mode parses only the first certificate served (trust.pins)", f.CertIndex, p.Name, m.Call)}
		}
		out = append(out, f)
	}
	return out
}

// pinMethods validates trust.pins: known kinds, comparisons and formats,
// and bypassed checks that exist.
func (v *validator) pinMethods(root *yaml.Node, prefix string) {
	kinds := make([]string, len(pin.Kinds))
	for i, k := range pin.Kinds {
		kinds[i] = string(k)
	}
	var ids []string
	for _, c := range Checks() {
		ids = append(ids, c.ID())
	}
	for _, item := range seqAt(root, "trust", "pins") {
		if item.Kind != yaml.MappingNode {
			continue // keys() reported it
		}
		for _, rule := range []struct {
			key     string
			allowed []string
			need    bool
		}{{"kind", kinds, true}, {"compares", pinCompares, true}, {"format", pin.Formats, true}} {
			n := mapValue(item, rule.key)
			switch {
			case n == nil && rule.need:
				v.errorf(item, "%strust.pins: each entry needs %s (known: %s)", prefix, rule.key, strings.Join(rule.allowed, ", "))
			case n != nil && !slices.Contains(rule.allowed, n.Value):
				v.errorf(n, "%strust.pins.%s: unknown value %q (known: %s)", prefix, rule.key, n.Value, strings.Join(rule.allowed, ", "))
			}
		}
		if n := mapValue(item, "call"); n == nil || n.Value == "" {
			v.errorf(item, "%strust.pins: each entry needs call (the API that sets the pin, quoted in messages)", prefix)
		}
		for _, key := range []string{"bypasses", "leaf_only"} {
			for _, b := range seqAt(item, key) {
				if !slices.Contains(ids, b.Value) {
					v.errorf(b, "%strust.pins.%s: %q is not a check ID (known: %s)", prefix, key, b.Value, strings.Join(ids, ", "))
				}
			}
		}
	}
}
