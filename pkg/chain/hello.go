package chain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/zmap/zcrypto/tls"
)

// ErrBadHelloSpec is wrapped by every HelloSpec.Validate error.
var ErrBadHelloSpec = errors.New("bad hello spec")

// Validate reports every version, suite or curve name in s that certlint
// does not know, and a spec with no version at all.
func (s HelloSpec) Validate() error {
	var problems []string
	if len(s.Versions) == 0 {
		problems = append(problems, "no TLS version listed")
	}
	for _, v := range s.Versions {
		if _, ok := VersionByProfileName(v); !ok {
			problems = append(problems, fmt.Sprintf("unknown version %q (known: %s)", v, knownVersions()))
		}
	}
	for _, name := range s.CipherSuites {
		if _, ok := CipherSuiteByName(name); !ok {
			problems = append(problems, fmt.Sprintf("unknown cipher suite %q (want an IANA name like TLS_RSA_WITH_AES_128_CBC_SHA)", name))
		}
	}
	for _, name := range s.Curves {
		if _, ok := CurveByName(name); !ok {
			problems = append(problems, fmt.Sprintf("unknown curve %q (known: %s)", name, knownCurves()))
		}
	}
	problems = append(problems, s.validateWire()...)
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrBadHelloSpec, strings.Join(problems, "; "))
}

// Key returns a canonical string for s: two devices whose hellos have the
// same Key would get the same answer from a server, so they share one dial.
// Versions are a set (listed oldest first); suites and curves keep their
// order, because the order is the device's preference.
func (s HelloSpec) Key() string {
	var versions []string
	for _, v := range Versions {
		for _, want := range s.Versions {
			if want == v.Profile {
				versions = append(versions, v.Profile)
				break
			}
		}
	}
	for _, want := range s.Versions { // unknown names still distinguish specs
		if _, ok := VersionByProfileName(want); !ok {
			versions = append(versions, want)
		}
	}
	return "versions=" + listOrDefault(versions) +
		" suites=" + listOrDefault(dedupe(s.CipherSuites)) +
		" curves=" + listOrDefault(dedupe(s.Curves)) +
		fmt.Sprintf(" sni=%t", s.SNI) + s.wireKey()
}

// validateWire checks the fields of the exact hello: wire versions,
// compression, extension and signature algorithm names.
func (s HelloSpec) validateWire() []string {
	var problems []string
	for _, v := range []string{s.HelloVersion, s.RecordVersion} {
		if _, ok := VersionByProfileName(v); v != "" && !ok {
			problems = append(problems, fmt.Sprintf("unknown wire version %q (known: %s)", v, knownVersions()))
		}
	}
	for _, c := range s.Compression {
		if _, ok := CompressionMethodByName(c); !ok {
			problems = append(problems, fmt.Sprintf("unknown compression method %q (known: null, deflate)", c))
		}
	}
	for _, e := range s.Extensions {
		if _, ok := ExtensionByName(e); !ok {
			problems = append(problems, fmt.Sprintf("unknown extension %q (known: %s)", e, strings.Join(ExtensionNames(), ", ")))
		}
	}
	for _, a := range s.SignatureAlgorithms {
		if _, ok := SignatureAlgorithmByName(a); !ok {
			problems = append(problems, fmt.Sprintf("unknown signature algorithm %q (want a TLS name like rsa_pkcs1_sha256)", a))
		}
	}
	return problems
}

// wireKey adds the fields of an exact hello to Key; it is empty for a spec
// that is not replayed exactly, so such specs keep sharing dials as before.
func (s HelloSpec) wireKey() string {
	k := ""
	if len(s.SignatureAlgorithms) > 0 {
		k += " sigalgs=" + strings.Join(s.SignatureAlgorithms, ",")
	}
	if !s.Exact {
		return k
	}
	return k + fmt.Sprintf(" exact hello=%s record=%s compression=%s extensions=%s mfl=%d",
		s.HelloVersion, s.RecordVersion, listOrDefault(s.Compression), strings.Join(s.Extensions, ","), s.MaxFragmentLength)
}

// DialHello dials address:port with the ClientHello a device would send,
// derived from spec, and reports what the server chose. It never returns
// nil: on failure Handshake.Error says what happened and Handshake.Alert
// names the alert the server sent. Version, suite and curve are taken from
// the ServerHello, so they are recorded even when certlint cannot finish the
// handshake it started; Chain is what the server sent to this hello.
func (d *Dialer) DialHello(ctx context.Context, address string, port int, serverName string, spec HelloSpec) *HelloResult {
	res := &HelloResult{Spec: spec}
	cfg, err := spec.clientConfig(serverName, res)
	if err != nil {
		res.Handshake.Error, res.Handshake.Failure = err.Error(), FailureLocal
		return res
	}
	a := d.run(ctx, address, port, cfg, spec.recordVersion(res.Exact), false)
	res.Handshake, res.Chain = a.hs, a.certs
	if a.local && a.hs.Version != "" && len(a.certs) == 0 {
		// The server accepted the hello but zcrypto stopped before the
		// certificates, e.g. a suite it offers but does not implement.
		res.Handshake.Error = fmt.Sprintf("server accepted the hello (%s, %s) but certlint could not continue the handshake: %s",
			a.hs.Version, a.hs.CipherSuite, strings.TrimPrefix(a.err.Error(), "tls: "))
		if res.Handshake.Failure != FailureVersion {
			res.Handshake.Failure = FailureLocal
		}
	}
	res.excuseMasterSecret()
	return res
}

// recordVersion is the wire value for the ClientHello record header when an
// exact replay asks for one other than zcrypto's TLS 1.0; 0 leaves it as is.
func (s HelloSpec) recordVersion(exact bool) uint16 {
	if !exact || s.RecordVersion == "" {
		return 0
	}
	v, _ := VersionByProfileName(s.RecordVersion)
	return v.ID
}

// excuseMasterSecret handles a zcrypto gap: it offers extended_master_secret
// when the device does but derives the keys without it, so a server that
// agreed rejects certlint's Finished (bad_record_mac or decrypt_error) after
// it has chosen version and suite and sent its chain. The device itself
// would finish; the failure is certlint's, so it is not reported as the
// server's refusal.
func (res *HelloResult) excuseMasterSecret() {
	hs := &res.Handshake
	offered := res.Exact && slices.Contains(res.Spec.Extensions, "extended_master_secret")
	if !offered || hs.Version == "" || len(res.Chain) == 0 || (hs.Alert != "bad_record_mac" && hs.Alert != "decrypt_error") {
		return
	}
	res.Approximations = append(res.Approximations, fmt.Sprintf(
		"the server accepted the hello (%s, %s) and sent its certificates, then rejected certlint's Finished with %s: zcrypto offers extended_master_secret but does not implement it, the device does",
		hs.Version, hs.CipherSuite, hs.Alert))
	hs.Error, hs.Alert, hs.Failure = "", "", FailureNone
}

// clientConfig picks how the hello is built: byte for byte from the spec
// when the profile knows all of it, else zcrypto's own hello from Config.
// It records in res which one was used and what differs from the device.
func (s HelloSpec) clientConfig(serverName string, res *HelloResult) (*tls.Config, error) {
	exact, why := s.replayable()
	if !exact {
		if why != "" {
			res.Approximations = append(res.Approximations, why)
		}
		return s.config(serverName)
	}
	cfg, approx, err := s.fingerprint(serverName)
	res.Exact, res.Approximations = err == nil, append(res.Approximations, approx...)
	return cfg, err
}

// config builds the zcrypto client configuration for the spec: the version
// range, the exact suite list in order (ForceSuites, so suites zcrypto cannot
// complete are still offered), the curves, and SNI only if the device sends it.
func (s HelloSpec) config(serverName string) (*tls.Config, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	lo, hi := uint16(0xffff), uint16(0)
	for _, name := range s.Versions {
		v, _ := VersionByProfileName(name)
		lo, hi = min(lo, v.ID), max(hi, v.ID)
	}
	if hi < tls.VersionTLS10 {
		return nil, errors.New("the device offers only SSL 3.0, which certlint's TLS library (zcrypto) cannot offer")
	}
	cfg := &tls.Config{
		InsecureSkipVerify: true,
		RootCAs:            emptyRoots,
		MinVersion:         max(lo, tls.VersionTLS10), // zcrypto has no SSL 3.0 client
		MaxVersion:         hi,
	}
	if s.SNI {
		cfg.ServerName = serverName
	}
	for _, name := range s.CipherSuites {
		id, _ := CipherSuiteByName(name)
		cfg.CipherSuites = append(cfg.CipherSuites, id)
	}
	cfg.ForceSuites = len(cfg.CipherSuites) > 0
	for _, name := range s.Curves {
		id, _ := CurveByName(name)
		cfg.CurvePreferences = append(cfg.CurvePreferences, id)
	}
	cfg.ExplicitCurvePreferences = len(cfg.CurvePreferences) > 0
	if len(s.SignatureAlgorithms) > 0 {
		if err := s.signatureAlgorithmsExtension().WriteToConfig(cfg); err != nil {
			return nil, fmt.Errorf("signature algorithms: %w", err)
		}
	}
	return cfg, nil
}

// knownVersions lists the profile names of the versions, for messages.
func knownVersions() string {
	names := make([]string, len(Versions))
	for i, v := range Versions {
		names[i] = v.Profile
	}
	return strings.Join(names, ", ")
}

// knownCurves lists the curve names, for messages.
func knownCurves() string {
	names := make([]string, 0, len(curves))
	for n := range curves {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// dedupe drops repeated names, keeping the first occurrence.
func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// listOrDefault joins names, or says "default" for an empty list (the
// library's own choice).
func listOrDefault(names []string) string {
	if len(names) == 0 {
		return "default"
	}
	return strings.Join(names, ",")
}
