package constraints

import (
	"fmt"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "tls-version", Fields: []string{"tls.versions", "tls.max_version"},
			Description: "the server agrees a TLS version with the device's own ClientHello"},
		Requires: []Requirement{
			profileLists("TLS versions", (*Profile).OfferedVersions),
		},
		Execute: tlsVersion,
	})
}

// tlsVersion checks that the server agrees a protocol version with the
// device's own ClientHello (replayed by certlint), not with a PC's.
func tlsVersion(obs *chain.Observation, p *Profile) []Finding {
	versions := p.OfferedVersions()
	// bounded: the versions are unknown, only the newest possible one is
	// (an inferred limit); certlint offered everything up to it.
	bounded := len(p.TLS.Versions) == 0
	offered := versionRange(versions)
	if bounded {
		offered = "at most " + chain.VersionDisplay(p.TLS.MaxVersion) + "; which versions below it is unknown"
	}
	hello, why := deviceHello(obs, p)
	if hello == nil {
		return skip(why + "; versions the device offers: " + offered)
	}
	hs := hello.Handshake
	f := Finding{CertIndex: -1, Limit: offered, Actual: hs.Version}
	switch {
	case hs.Version != "" && !containsFold(displayVersions(versions), hs.Version):
		f.Severity = Fail
		f.Message = fmt.Sprintf("the server chose %s, which %s does not offer (it offers %s)", hs.Version, p.Name, offered)
		f.Fix = "the server ignores the device's offered versions; ask the service operator to enable " + newestVersion(versions)
	case hs.Version != "" && bounded:
		return skip(fmt.Sprintf("the server agreed %s with a hello offering %s, but which versions %s offers is not known (it offers %s)",
			hs.Version, versionRange(versions), p.Name, offered))
	case hs.Version != "":
		f.Severity = Pass
		f.Message = fmt.Sprintf("the server agreed %s with %s's ClientHello (it offers %s)", hs.Version, p.Name, offered)
	case versionRefused(hs):
		f.Severity = Fail
		f.Actual = "none (" + handshakeFailure(hs) + ")"
		f.Message = fmt.Sprintf("the server refused every version %s offers (%s): %s", p.Name, offered, handshakeFailure(hs))
		if bounded {
			f.Message = fmt.Sprintf("the server refused every version up to %s (%s), the newest %s can speak: %s",
				chain.VersionDisplay(p.TLS.MaxVersion), versionRange(versions), p.Name, handshakeFailure(hs))
		}
		if obs.TLS != nil && obs.TLS.Version != "" {
			f.Message += fmt.Sprintf("; a current client gets %s", obs.TLS.Version)
		}
		f.Fix = fmt.Sprintf("ask the service operator to enable %s, the newest version %s offers", newestVersion(versions), p.Name)
	default:
		return skip(fmt.Sprintf("the handshake with %s's ClientHello failed before a version was agreed (%s); the cipher-suite finding says more; versions the device offers: %s",
			p.Name, handshakeFailure(hs), offered))
	}
	return []Finding{f}
}

// deviceHello returns what the server did with the device's own
// ClientHello, or nil and the reason there is no such result (an offline
// chain, or a hello that was not dialled).
func deviceHello(obs *chain.Observation, p *Profile) (*chain.HelloResult, string) {
	if res := helloResult(obs, p); res != nil {
		return res, ""
	}
	if obs.Offline || obs.Hellos == nil {
		return nil, "no handshake: offline chain"
	}
	return nil, "no handshake with " + p.Name + "'s ClientHello was made"
}

// helloResult is the dial of the device's ClientHello, nil when there
// was none. The hello's key is not built when nothing was dialled (an
// offline chain): building it is most of a lookup.
func helloResult(obs *chain.Observation, p *Profile) *chain.HelloResult {
	if len(obs.Hellos) == 0 {
		return nil
	}
	return obs.Hellos[p.HelloKeyFor(obs.ServerName)]
}

// versionRefused reports whether a failed handshake failed on the protocol
// version rather than on suites or certificates, as the dial classified it.
func versionRefused(hs chain.Handshake) bool {
	return hs.Failure == chain.FailureVersion
}

// handshakeFailure quotes how a handshake failed: the alert when the server
// sent one, else the error.
func handshakeFailure(hs chain.Handshake) string {
	switch {
	case hs.Alert != "":
		return "alert " + hs.Alert
	case hs.Error != "":
		return hs.Error
	}
	return "no version agreed"
}

// displayVersions maps profile version names to report names (tls1.2 → TLS1.2).
func displayVersions(versions []string) []string {
	out := make([]string, len(versions))
	for i, v := range versions {
		out[i] = chain.VersionDisplay(strings.ToLower(v))
	}
	return out
}

// versionRange shows the offered versions as a range when they are
// consecutive (TLS1.0–TLS1.2), else as a list.
func versionRange(versions []string) string {
	var idx []int
	for _, v := range versions {
		for i, known := range chain.Versions {
			if known.Profile == strings.ToLower(v) {
				idx = append(idx, i)
			}
		}
	}
	if len(idx) >= 2 && len(idx) == len(versions) {
		lo, hi := idx[0], idx[0]
		for _, i := range idx {
			lo, hi = min(lo, i), max(hi, i)
		}
		if hi-lo+1 == len(idx) {
			return chain.Versions[lo].Display + "–" + chain.Versions[hi].Display
		}
	}
	return strings.Join(displayVersions(versions), ", ")
}

// newestVersion returns the report name of the newest version offered.
func newestVersion(versions []string) string {
	best, bestName := -1, ""
	for _, v := range versions {
		for i, known := range chain.Versions {
			if known.Profile == strings.ToLower(v) && i > best {
				best, bestName = i, known.Display
			}
		}
	}
	if bestName == "" && len(versions) > 0 {
		return versions[len(versions)-1]
	}
	return bestName
}
