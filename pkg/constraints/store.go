package constraints

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/profiles"
)

// RootStore is the list of roots a device ships (trust.store), generated
// from the firmware's own bundle: profiles/stores/NAME.yaml.
type RootStore struct {
	Name   string      `yaml:"name"`
	Title  string      `yaml:"title"`
	Source string      `yaml:"source"`
	Update string      `yaml:"update"` // how a device owner adds a root
	Roots  []StoreRoot `yaml:"roots"`

	anchorsOnce sync.Once
	anchors     *chain.Anchors
}

// StoreRoot is one root of a RootStore: enough to recognise it (subject,
// key) and to say when it ends.
type StoreRoot struct {
	Subject       string `yaml:"subject"`
	SubjectSHA256 string `yaml:"subject_sha256"` // SHA-256 of the DER subject name
	SPKISHA256    string `yaml:"spki_sha256"`
	SKI           string `yaml:"ski"`
	Key           string `yaml:"key"`
	NotBefore     string `yaml:"not_before"`
	NotAfter      string `yaml:"not_after"`
	DER           string `yaml:"der"` // base64, only for roots certlint's embedded store lacks
}

// Expires returns the root's notAfter date (zero if it cannot be read).
func (r StoreRoot) Expires() time.Time {
	t, _ := time.Parse(dateLayout, r.NotAfter)
	return t
}

// StoreNames lists the built-in root stores trust.store may name: the
// files under profiles/stores.
func StoreNames() []string {
	names, _ := fs.Glob(profiles.Stores, "stores/*.yaml")
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, strings.TrimSuffix(path.Base(n), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// LoadStore returns a built-in root store by name, from the build-time
// snapshot (builtin.go).
func LoadStore(name string) (*RootStore, error) {
	if s := builtinStores[name]; s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("no built-in root store %q (known: %s)", name, strings.Join(StoreNames(), ", "))
}

// IssuerOf returns the stored root that issued c, found the way BearSSL,
// mbedTLS and the ESP-IDF bundle find it: the issuer name byte for byte,
// then the key; the key is compared through c's Authority Key Identifier
// and the root's Subject Key Identifier when both are there (the list
// keeps no key to verify a signature with).
func (s *RootStore) IssuerOf(c *chain.Cert) *StoreRoot {
	if c.Parsed == nil {
		return nil
	}
	want := sum256(c.Parsed.RawIssuer)
	for i := range s.Roots {
		r := &s.Roots[i]
		if r.SubjectSHA256 != want {
			continue
		}
		if len(c.AKI) > 0 && r.SKI != "" && !bytes.Equal(c.AKI, mustHex(r.SKI)) {
			continue
		}
		return r
	}
	return nil
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

// Anchors returns the roots this store holds, as the anchors the device's
// path is built over: the copies in certlint's embedded store (Mozilla's
// and the retired ones), matched by subject and public key, plus the roots
// the list carries itself because the embedded store lacks them. The
// embedded copies are a filtered view: only the roots a path lookup
// finds are hashed and matched (matching all of them, for every store,
// cost more than the rest of an offline check).
func (s *RootStore) Anchors() *chain.Anchors {
	s.anchorsOnce.Do(func() {
		embedded := chain.StoreAnchors().Filter(func(h *chain.HeldAnchor) bool {
			k, ok := h.NameSums()
			return ok && s.listed(k) != nil
		})
		own := chain.NewAnchors()
		for _, r := range s.Roots {
			if der, err := base64.StdEncoding.DecodeString(r.DER); err == nil && len(der) > 0 {
				own.AddDER(der, chain.SourceStore, s.Name)
			}
		}
		s.anchors = chain.Union(embedded, own)
	})
	return s.anchors
}

// Holds returns the store's entry for c (same subject and key), or nil.
func (s *RootStore) Holds(c *chain.Cert) *StoreRoot {
	if c == nil || c.Parsed == nil {
		return nil
	}
	return s.listed(chain.NameSums{Subject: sha256.Sum256(c.Parsed.RawSubject), SPKI: sha256.Sum256(c.Parsed.RawSubjectPublicKeyInfo)})
}

// listed returns the store's entry for the root with these sums, or nil.
// A path asks about a few roots, so a scan of the list costs less than
// an index of it.
func (s *RootStore) listed(k chain.NameSums) *StoreRoot {
	var subject, spki [2 * sha256.Size]byte
	hex.Encode(subject[:], k.Subject[:])
	hex.Encode(spki[:], k.SPKI[:])
	for i := range s.Roots {
		if s.Roots[i].SubjectSHA256 == string(subject[:]) && s.Roots[i].SPKISHA256 == string(spki[:]) {
			return &s.Roots[i]
		}
	}
	return nil
}

func sum256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// storeFinding judges a builtin-store device by its real store: the path
// the device builds over the roots it holds, or, for a held root certlint
// has no copy of, the served certificate it issued (name and key
// identifier). Neither means the chain needs a root the device lacks.
func storeFinding(obs *chain.Observation, path *chain.Path, p *Profile, s *RootStore) Finding {
	held := fmt.Sprintf("%s's store (%s, %d roots)", p.Name, s.Title, len(s.Roots))
	var f Finding
	var r *StoreRoot
	switch {
	case path.OK() && s.Holds(path.Anchor) != nil:
		a := path.Anchor
		r = s.Holds(a)
		f = Finding{Severity: Pass, CertIndex: a.Index, Limit: s.Name, Actual: r.Subject,
			Message: fmt.Sprintf("the chain anchors at %s, which %s holds (until %s)", r.Subject, held, r.NotAfter)}
	default:
		for _, c := range obs.Served() {
			if r = s.IssuerOf(c); r != nil {
				f = Finding{Severity: Pass, CertIndex: c.Index, Limit: s.Name, Actual: r.Subject,
					Message: fmt.Sprintf("%s is issued by %s, which %s holds (until %s; found by name and key identifier, certlint has no copy of that root to check the signature)", c.Label(), r.Subject, held, r.NotAfter)}
				break
			}
		}
	}
	if r == nil {
		need := "the root that issued the top certificate"
		if path.Loadable.OK() {
			need = path.Loadable.Anchor.Subject
		} else if served := obs.Served(); len(served) > 0 && served[len(served)-1].Issuer != "" {
			need = served[len(served)-1].Issuer
		}
		return Finding{Severity: Fail, CertIndex: -1, Limit: s.Name, Actual: need,
			Message: fmt.Sprintf("this chain needs %s; %s does not hold it", need, held),
			Fix:     "the service must chain to a root the store holds, or " + s.Update}
	}
	if verifies, known := Bool(p.Trust.VerifiesTime); known && verifies && !obs.CheckedAt.IsZero() && r.Expires().Before(obs.CheckedAt) {
		f.Severity = Fail
		f.Message += "; that root has expired and " + p.Name + " checks dates"
		f.Fix = "the service must chain to a current root the store holds, or " + s.Update
	} else if !obs.Until.IsZero() && r.Expires().Before(obs.Until) {
		f.Severity = Warn
		f.Message += fmt.Sprintf("; it expires before the end of service (--until %s), and the service will have moved to another root by then", obs.Until.UTC().Format(dateLayout))
		f.Fix = "before " + r.NotAfter + ", " + s.Update
	}
	return f
}
