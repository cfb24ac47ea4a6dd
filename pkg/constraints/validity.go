package constraints

import (
	"fmt"
	"time"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "validity", Fields: []string{"trust.verifies_time", "trust.validates_unused"},
			Description: "every certificate, anchor included, is valid at the device's clock"},
		Requires: []Requirement{
			certsServed("the chain is empty"),
		},
		Execute: validity,
	})
}

// dateLayout is how messages quote validity dates: the day is what a user
// compares with a clock.
const dateLayout = "2006-01-02"

// validity checks every certificate of the device's path, anchor
// included, at the device's clock (--at); an expired certificate the
// server sends but the device does not use is at most a warning. A device that checks no dates connects anyway,
// which the pass says; a device that checks them needs its clock set,
// which the pass says too, since a module without a clock fails on a
// perfectly valid chain.
func validity(obs *chain.Observation, p *Profile) []Finding {
	certs := deviceCerts(obs, p)
	if p.Trust.Model == "none" {
		return []Finding{unverified(p, "validity dates are not checked")}
	}
	if obs.CheckedAt.IsZero() {
		return skip("no device clock to judge validity at: pass --at")
	}
	verifies, known := Bool(p.Trust.VerifiesTime)
	var out []Finding
	for _, c := range certs {
		f := demoteUnused(validityFinding(c.cert, obs.CheckedAt, p), c, p)
		switch {
		case known && !verifies:
			// The device connects whatever the dates say; report the fact
			// without failing on it.
			if f.Severity == Fail {
				f.Message += "; " + p.Name + " does not check validity dates, so it connects anyway"
				f.Fix = ""
			} else {
				f.Message += "; " + p.Name + " does not check validity dates"
			}
			f.Severity = Pass
		case known && f.Severity == Pass:
			f.Message += "; " + p.Name + " checks validity dates, so its clock must be set before it connects"
		}
		if !c.unused {
			serviceLife(&f, c.cert, obs, p)
		}
		out = append(out, f)
	}
	return out
}

func validityFinding(c *chain.Cert, at time.Time, p *Profile) Finding {
	clock := at.UTC().Format(dateLayout)
	f := Finding{Severity: Pass, CertIndex: c.Index, Actual: clock}
	switch {
	case c.Parsed == nil:
		f.Severity = Warn
		f.Actual = nil
		f.Message = fmt.Sprintf("%s could not be parsed (%s); its validity dates are unknown", c.Label(), c.ParseError)
	case at.Before(c.NotBefore):
		f.Severity = Fail
		f.Limit = c.NotBefore.UTC().Format(dateLayout)
		f.Message = fmt.Sprintf("%s is not valid until %s; the device clock reads %s", c.Label(), f.Limit, clock)
		f.Fix = "check the device clock (certlint --at sets it); if it is right, the service must wait or serve a certificate valid now"
	case at.After(c.NotAfter):
		f.Severity = Fail
		f.Limit = c.NotAfter.UTC().Format(dateLayout)
		f.Message = fmt.Sprintf("%s expired on %s; the device clock reads %s", c.Label(), f.Limit, clock)
		f.Fix = expiredFix(c, p)
	default:
		f.Limit = c.NotAfter.UTC().Format(dateLayout)
		f.Message = fmt.Sprintf("%s is valid from %s to %s at the device clock %s",
			c.Label(), c.NotBefore.UTC().Format(dateLayout), f.Limit, clock)
	}
	return f
}

// expiredFix says who must renew: the service for what it serves, the
// device owner for the anchor the device holds.
func expiredFix(c *chain.Cert, p *Profile) string {
	if c.Source == chain.SourceServed {
		return "the service must renew " + c.Label()
	}
	if p.Trust.Model == "loaded-ca" {
		return "load a current root into " + p.Name + " in place of the expired one"
	}
	return "the chain must move to a root that has not expired"
}

// serviceLife adds what --until asks: a certificate on the path that
// expires before the device's service life ends. The service renews what it
// serves, so that is said; an anchor the device holds is the device's
// problem (a root in its firmware or CA slot), so that warns.
func serviceLife(f *Finding, c *chain.Cert, obs *chain.Observation, p *Profile) {
	if obs.Until.IsZero() || c.Parsed == nil || !c.NotAfter.Before(obs.Until) || f.Severity == Fail {
		return
	}
	until := obs.Until.UTC().Format(dateLayout)
	expires := c.NotAfter.UTC().Format(dateLayout)
	if c.Source == chain.SourceServed && !c.SelfSigned {
		f.Message += fmt.Sprintf("; it expires on %s, before the end of service (--until %s): the service renews it, and its successor must still suit %s", expires, until, p.Name)
		return
	}
	if p.Trust.Store != "" {
		f.Message += fmt.Sprintf("; it expires on %s, before the end of service (--until %s); trust-anchor judges the copy in %s's store", expires, until, p.Name)
		return
	}
	f.Severity = Warn
	f.Limit = until
	f.Message += fmt.Sprintf("; this anchor expires on %s, before the end of service (--until %s): the service will move to another root before then, and %s must hold that one", expires, until, p.Name)
	switch p.Trust.Model {
	case "loaded-ca":
		f.Fix = "plan a field update of the CA the device holds before " + expires + " (load the service's next root next to this one, where the device takes two)"
	default:
		f.Fix = "plan a firmware or root-store update before " + expires
	}
}
