package constraints

import (
	"fmt"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "key-size", Fields: []string{"certificates.rsa_min_bits", "certificates.rsa_max_bits"},
			Description: "every RSA key in the path, anchor included, is within the device's RSA size bounds; with no known bound, a key over 2,048 bits warns"},
		Requires: []Requirement{certsServed("the chain is empty")},
		Execute:  keySize,
	})
}

// commonRSALimit is the largest RSA key several embedded stacks verify:
// ATWINC1500 (Software Design Guide 7.4.4), SPWF04Sx firmware 1.0.x (an
// RSA-4096 intermediate failed), the CC3235's code-signing ROM. Above it a
// device whose own limit is unknown is at risk.
const commonRSALimit = 2048

// keySize judges every RSA key in the device's path against its bounds.
// Without bounds, a key over commonRSALimit is a warning when the profile
// records the limit as searched for and not found (no citation, or only
// confidence unknown) and the device verifies the chain; a profile that
// cites a source for having no bound (SPWF04Sx 1.1.x took RSA-4096) skips.
func keySize(obs *chain.Observation, p *Profile) []Finding {
	if p.Certificates.RSAMinBits > 0 || p.Certificates.RSAMaxBits > 0 {
		return eachDeviceCert(keySizeFinding)(obs, p)
	}
	noLimit := p.Name + " has no known RSA key size limits"
	if p.sourced("certificates.rsa_max_bits") || p.Trust.Model == "none" {
		return skip(noLimit)
	}
	var out []Finding
	for _, pc := range deviceCerts(obs, p) {
		c := pc.cert
		if c.KeyType != "rsa" || c.KeyBits <= commonRSALimit {
			continue
		}
		out = append(out, Finding{Severity: Warn, CertIndex: c.Index, Actual: c.KeyBits,
			Message: fmt.Sprintf("%s has an RSA key of %s bits; the largest RSA key %s accepts is unknown (no source found), and several embedded TLS stacks stop at %s bits",
				c.Label(), Thousands(c.KeyBits), p.Name, Thousands(commonRSALimit)),
			Fix: fmt.Sprintf("try this chain on a real device before relying on it; if it fails, the service needs RSA keys of at most %s bits in the path (or ECDSA)", Thousands(commonRSALimit))})
	}
	if len(out) == 0 {
		return skip(noLimit)
	}
	return out
}

// keySizeFinding checks the RSA modulus of a certificate in the path, the
// anchor included, against the bounds of the device's RSA code. Firmware
// matters here (SPWF04Sx 1.0.x failed on RSA-4096 intermediates that 1.1.x
// accepts), so a failure on a firmware variant says that newer firmware
// may behave differently.
func keySizeFinding(c *chain.Cert, p *Profile) Finding {
	minBits, maxBits := p.Certificates.RSAMinBits, p.Certificates.RSAMaxBits
	f := Finding{Severity: Pass, CertIndex: c.Index, Actual: c.KeyBits}
	if maxBits > 0 {
		f.Limit = maxBits
	} else {
		f.Limit = minBits
	}
	device := deviceWithFirmware(p)
	switch {
	case c.KeyType != "rsa":
		f.Actual, f.Limit = nil, nil
		f.Message = fmt.Sprintf("%s has no RSA key (%s); the RSA size limits do not apply", c.Label(), c.KeyType)
	case maxBits > 0 && c.KeyBits > maxBits:
		f.Severity = Fail
		f.Message = fmt.Sprintf("%s has an RSA key of %s bits > %s bits, the most %s accepts",
			c.Label(), Thousands(c.KeyBits), Thousands(maxBits), device)
		f.Fix = keySizeFix(p, fmt.Sprintf("the service needs RSA keys of at most %s bits in the whole path", Thousands(maxBits)))
	case minBits > 0 && c.KeyBits < minBits:
		f.Severity = Fail
		f.Limit = minBits
		f.Message = fmt.Sprintf("%s has an RSA key of %s bits < %s bits, the least %s accepts",
			c.Label(), Thousands(c.KeyBits), Thousands(minBits), device)
		f.Fix = keySizeFix(p, fmt.Sprintf("the service needs RSA keys of at least %s bits", Thousands(minBits)))
	default:
		f.Message = fmt.Sprintf("%s has an RSA key of %s bits; %s accepts %s", c.Label(), Thousands(c.KeyBits), device, rsaRange(minBits, maxBits))
	}
	return f
}

// keySizeFix adds, for a firmware variant, that the limit belongs to that
// firmware: the base profile describes the newest firmware, which may
// accept the key. The variant cannot see the base profile's values, so it
// points at them rather than guessing.
func keySizeFix(p *Profile, serviceFix string) string {
	if p.Variant == "" {
		return serviceFix
	}
	fw := p.Firmware
	if fw == "" {
		fw = p.Variant
	}
	return fmt.Sprintf("firmware matters: this is the limit of firmware %s; newer firmware may accept this key (compare `certlint check --device %s`, see `certlint profiles show %s`); otherwise %s",
		fw, p.ID, p.ID, serviceFix)
}

// deviceWithFirmware names the device and, when known, its firmware.
func deviceWithFirmware(p *Profile) string {
	if p.Firmware == "" {
		return p.Name
	}
	return p.Name + " firmware " + p.Firmware
}

func rsaRange(minBits, maxBits int) string {
	switch {
	case minBits > 0 && maxBits > 0:
		return Thousands(minBits) + " to " + Thousands(maxBits) + " bits"
	case maxBits > 0:
		return "at most " + Thousands(maxBits) + " bits"
	}
	return "at least " + Thousands(minBits) + " bits"
}
