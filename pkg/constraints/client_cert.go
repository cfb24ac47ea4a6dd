package constraints

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "client-cert", Fields: []string{"client.cert_max_bytes", "certificates.key_types", "certificates.rsa_min_bits", "certificates.rsa_max_bits"},
			Description: "the device's own certificate bundle (mutual TLS) fits its slot, has a key it supports and is valid; without a bundle, a server that requires one is a warning"},
		Requires: []Requirement{clientCertApplies},
		Execute:  clientCert,
	})
}

// noClientCert is the reason the check skips without --client-cert.
const noClientCert = "no device certificate given (--client-cert FILE checks the device's own bundle for mutual TLS)"

// serverRequest is the server's request for a client certificate: the
// generic handshake's, which learned the server's policy, else the one
// the device's own hello saw (policy unknown); nil when neither asked.
func serverRequest(obs *chain.Observation, p *Profile) *chain.ClientCertRequest {
	if obs.TLS != nil && obs.TLS.ClientCert != nil {
		return obs.TLS.ClientCert
	}
	if res := helloResult(obs, p); res != nil {
		return res.Handshake.ClientCert
	}
	return nil
}

// clientCertApplies: the check judges the bundle given with --client-cert,
// or, without one, a server that requires a client certificate (or asks
// and did not say whether it goes on without one). It skips, saying
// which, when the server asks but accepts a handshake without one, or
// does not ask.
func clientCertApplies(obs *chain.Observation, p *Profile) string {
	if obs.ClientCert != nil {
		return ""
	}
	r := serverRequest(obs, p)
	switch {
	case r != nil && r.Policy == chain.ClientCertOptional:
		return noClientCert + "; the server asks for a client certificate but accepts a handshake without one"
	case r != nil:
		return ""
	case obs.TLS != nil && !obs.Offline:
		return noClientCert + "; the server does not ask for one"
	}
	return noClientCert
}

// clientCert checks the device's own certificate bundle for mutual TLS
// (--client-cert, e.g. Azure IoT X.509 device authentication): that the
// file fits the device's certificate slot (SPWF04Sx: 1,475 bytes for the
// 'cert' section or tls.cert, seed 000), that the device certificate's key
// is one the device's TLS stack can sign with, and that every certificate
// in the bundle is valid at the device's clock, because the server rejects
// an expired client certificate whatever the device thinks.
func clientCert(obs *chain.Observation, p *Profile) []Finding {
	b := obs.ClientCert
	r := serverRequest(obs, p)
	if b == nil {
		return []Finding{clientRequiredFinding(r, p)}
	}
	name := "the device certificate bundle " + filepath.Base(b.Path)
	out := []Finding{clientSizeFinding(b, name, p)}
	if r != nil {
		out[0].Message += "; " + requestSentence(r)
	}
	if len(b.Certs) == 0 {
		return append(out, Finding{Severity: Fail, CertIndex: -1, Message: name + " holds no certificate"})
	}
	out = append(out, clientKeyFinding(b.Certs[0], name, p))
	for i, c := range b.Certs {
		out = append(out, clientValidityFinding(c, i, name, obs))
	}
	if r != nil && len(r.AcceptableCAs) > 0 {
		out = append(out, clientIssuerFinding(b, name, r))
	}
	return out
}

// clientIssuerFinding compares the bundle with the CAs the server names as
// issuers of the client certificates it takes (its CertificateRequest's
// certificate_authorities): a bundle none of whose certificates is one of
// them or was issued by one may be refused. Only a warning: a server may
// hold intermediates it does not name.
func clientIssuerFinding(b *chain.CAFile, name string, r *chain.ClientCertRequest) Finding {
	for _, c := range b.Certs {
		for _, dn := range []string{c.Issuer, c.Subject} {
			if c.Parsed != nil && slices.Contains(r.AcceptableCAs, dn) {
				return Finding{Severity: Pass, CertIndex: -1, Actual: dn, Sources: []string{},
					Message: fmt.Sprintf("%s chains to %s, a CA the server names for client certificates", name, dn)}
			}
		}
	}
	f := Finding{Severity: Warn, CertIndex: -1, Limit: r.Issuers(), Sources: []string{},
		Message: fmt.Sprintf("the server takes client certificates issued by %s; no certificate of %s is one of them or issued by one: the server may refuse it", r.Issuers(), name),
		Fix:     "issue the device certificate from a CA the server names, add the issuing CA to the bundle, or register the device's CA with the service"}
	if c := b.Certs[0]; c.Parsed != nil {
		f.Actual = c.Issuer
	}
	return f
}

// requestSentence says what the server asks of the client's certificate.
func requestSentence(r *chain.ClientCertRequest) string {
	switch {
	case r.Policy == chain.ClientCertRequired && r.Alert != "":
		return "the server requires a client certificate (it refused certlint's handshake without one: alert " + r.Alert + ")"
	case r.Policy == chain.ClientCertRequired:
		return "the server requires a client certificate (it refused certlint's handshake without one)"
	case r.Policy == chain.ClientCertOptional:
		return "the server asks for a client certificate and accepts a handshake without one"
	}
	return "the server asks for a client certificate; whether it refuses a device without one is unknown (" + r.Detail + ")"
}

// clientRequiredFinding is the warning for a server that requires a client
// certificate (or asks, and may) when no bundle was given: the device must
// present one the server accepts, which certlint cannot check, and the
// device's slot is the limit it would be held to.
func clientRequiredFinding(r *chain.ClientCertRequest, p *Profile) Finding {
	f := Finding{Severity: Warn, CertIndex: -1, Message: requestSentence(r) + "; the device must present a certificate the server accepts"}
	if limit := p.Client.CertMaxBytes; limit > 0 {
		f.Limit = limit
		f.Message += fmt.Sprintf(", in a bundle of at most %s bytes (%s's certificate slot); certlint cannot check the device's bundle without --client-cert FILE",
			Thousands(limit), p.Name)
	} else {
		f.Message += fmt.Sprintf("; no limit is known for the %s's own certificate, and certlint cannot check the device's bundle without --client-cert FILE", p.Name)
	}
	f.Fix = "pass --client-cert FILE with the device's certificate bundle as it stores it"
	if len(r.AcceptableCAs) > 0 {
		f.Fix += "; the server takes client certificates issued by " + r.Issuers()
	}
	return clientCite(f, p, "client.cert_max_bytes")
}

// clientCite attaches the sources of the given profile fields, so each finding
// cites only the limits it applies.
func clientCite(f Finding, p *Profile, fields ...string) Finding {
	if f.Severity == Skip {
		return f
	}
	refs, confidence := p.SourcesFor(fields...)
	f.Sources, f.Confidence = citations(refs), confidence
	if f.Sources == nil {
		f.Sources = []string{}
	}
	return f
}

func clientSizeFinding(b *chain.CAFile, name string, p *Profile) Finding {
	limit := p.Client.CertMaxBytes
	if limit <= 0 {
		return Finding{Severity: Skip, CertIndex: -1,
			Message: fmt.Sprintf("%s is %s bytes; no size limit is known for the %s's own certificate", name, Thousands(b.Bytes), p.Name)}
	}
	f := Finding{Severity: Pass, CertIndex: -1, Limit: limit, Actual: b.Bytes,
		Message: fmt.Sprintf("%s is %s bytes as %s; %s stores a certificate bundle of at most %s bytes",
			name, Thousands(b.Bytes), strings.ToUpper(b.Format), p.Name, Thousands(limit))}
	if b.Bytes > limit {
		f.Severity = Fail
		f.Fix = clientSizeFix(b, limit)
	}
	return clientCite(f, p, "client.cert_max_bytes")
}

// clientSizeFix proposes the smallest change that fits: the device
// certificate alone, or in DER, else a smaller (ECDSA) certificate.
func clientSizeFix(b *chain.CAFile, limit int) string {
	leaf := b.Certs
	if len(leaf) > 0 {
		der := leaf[0].DERBytes()
		if len(leaf) > 1 && der <= limit {
			return fmt.Sprintf("store the device certificate alone (%s bytes as DER) and let the server hold the issuing CA", Thousands(der))
		}
		if b.Format == "pem" && der <= limit {
			return fmt.Sprintf("store the certificate in DER form (%s bytes) if the device takes DER", Thousands(der))
		}
	}
	return fmt.Sprintf("issue a smaller device certificate (an ECDSA P-256 certificate with few extensions is well under %s bytes)", Thousands(limit))
}

func clientKeyFinding(c *chain.Cert, name string, p *Profile) Finding {
	lim := p.Certificates
	label := "the device certificate (" + c.Subject + ")"
	f := Finding{Severity: Pass, CertIndex: -1, Actual: keyDescriptionShort(c)}
	switch {
	case c.Parsed == nil:
		f.Severity = Fail
		f.Message = fmt.Sprintf("the first certificate of %s could not be parsed: %s", name, c.ParseError)
		return f
	case len(lim.KeyTypes) == 0:
		return Finding{Severity: Skip, CertIndex: -1, Message: "the " + p.Name + " profile lists no supported key types"}
	case !containsFold(lim.KeyTypes, c.KeyType):
		f.Severity, f.Limit = Fail, strings.Join(lim.KeyTypes, ", ")
		f.Message = fmt.Sprintf("%s has %s key; %s supports only %s keys", label, keyDescription(c), p.Name, strings.Join(lim.KeyTypes, ", "))
		f.Fix = fmt.Sprintf("issue the device a certificate with a %s key", strings.Join(lim.KeyTypes, " or "))
	case c.KeyType == "rsa" && lim.RSAMaxBits > 0 && c.KeyBits > lim.RSAMaxBits:
		f.Severity, f.Limit = Fail, lim.RSAMaxBits
		f.Message = fmt.Sprintf("%s has %s key; %s handles RSA keys of at most %s bits", label, keyDescription(c), p.Name, Thousands(lim.RSAMaxBits))
		f.Fix = fmt.Sprintf("issue the device an RSA-%d or ECDSA certificate", min(2048, lim.RSAMaxBits))
	case c.KeyType == "rsa" && lim.RSAMinBits > 0 && c.KeyBits < lim.RSAMinBits:
		f.Severity, f.Limit = Fail, lim.RSAMinBits
		f.Message = fmt.Sprintf("%s has %s key; %s needs RSA keys of at least %s bits", label, keyDescription(c), p.Name, Thousands(lim.RSAMinBits))
		f.Fix = "issue the device an RSA-2048 certificate"
	default:
		f.Limit = strings.Join(lim.KeyTypes, ", ")
		f.Message = fmt.Sprintf("%s has %s key; %s supports it", label, keyDescription(c), p.Name)
	}
	return clientCite(f, p, "certificates.key_types", "certificates.rsa_min_bits", "certificates.rsa_max_bits")
}

// keyDescriptionShort is the key as a value for JSON: rsa-2048, ecdsa-P-256.
func keyDescriptionShort(c *chain.Cert) string {
	switch c.KeyType {
	case "rsa":
		return fmt.Sprintf("rsa-%d", c.KeyBits)
	case "ecdsa":
		return "ecdsa-" + c.Curve
	}
	return c.KeyType
}

func clientValidityFinding(c *chain.Cert, i int, name string, obs *chain.Observation) Finding {
	label := fmt.Sprintf("certificate %d of %s (%s)", i, name, c.Subject)
	at := obs.CheckedAt
	switch {
	case c.Parsed == nil:
		return Finding{Severity: Warn, CertIndex: -1, Message: label + " could not be parsed; its validity is unknown"}
	case at.IsZero():
		return Finding{Severity: Skip, CertIndex: -1, Message: "no device clock to judge validity at: pass --at"}
	}
	f := Finding{Severity: Pass, CertIndex: -1, Limit: c.NotAfter.Format(dateLayout), Actual: at.Format(dateLayout),
		Message: fmt.Sprintf("%s is valid from %s to %s", label, c.NotBefore.Format(dateLayout), c.NotAfter.Format(dateLayout))}
	switch {
	case at.After(c.NotAfter):
		f.Severity = Fail
		f.Message = fmt.Sprintf("%s expired on %s (device clock %s); the server will reject it", label, c.NotAfter.Format(dateLayout), at.Format(dateLayout))
		f.Fix = "issue the device a new certificate and register it with the service"
	case at.Before(c.NotBefore):
		f.Severity, f.Limit = Fail, c.NotBefore.Format(dateLayout)
		f.Message = fmt.Sprintf("%s is not valid until %s (device clock %s)", label, c.NotBefore.Format(dateLayout), at.Format(dateLayout))
		f.Fix = "check the device clock, or wait until the certificate is valid"
	}
	f.Sources = []string{}
	return f
}
