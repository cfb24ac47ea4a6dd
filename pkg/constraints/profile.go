package constraints

import "slices"

// Profile is what certlint knows about one device (one firmware variant of
// it): what its TLS stack offers, what certificates it can process, how it
// finds its trust anchor, and where each of those facts comes from.
type Profile struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Vendor groups the profile in `certlint profiles` (the chip or module
	// maker, e.g. Espressif, Microchip).
	Vendor   string   `yaml:"vendor"`
	Aliases  []string `yaml:"aliases"`
	Firmware string   `yaml:"firmware"`
	// Extends names a built-in profile this one starts from (custom profiles).
	Extends string `yaml:"extends"`
	// Notes is free text shown by `certlint profiles show`.
	Notes string `yaml:"notes"`

	TLS          TLSLimits         `yaml:"tls"`
	Certificates CertificateLimits `yaml:"certificates"`
	Trust        TrustModel        `yaml:"trust"`
	Client       ClientLimits      `yaml:"client"`
	Receive      ReceiveLimits     `yaml:"receive"`

	// WarnOnly maps a check ID to what the device actually does when that
	// check fails but the stack still connects (CC3200 −461: "connected with
	// a date verification error"). Such a failure is reported as a warning
	// quoting this behaviour, never as a silent pass.
	WarnOnly map[string]string `yaml:"warn_only"`

	// Sources maps a field path (certificates.max_cert_bytes) to where its
	// value comes from and how sure we are of it.
	Sources map[string][]SourceRef `yaml:"sources"`

	// Variant is the firmware variant selected (the part after @), empty for
	// the base profile. It is set by the loader, not read from YAML.
	Variant string `yaml:"-"`
	// Variants lists the variant names the profile defines, for help output.
	Variants []string `yaml:"-"`

	// prepared is what Prepare worked out; nil until then.
	prepared *preparation
}

// preparation is what every target's checks would otherwise work out
// again for a profile (Prepare).
type preparation struct {
	helloKey string
	cites    map[string]cited // by check ID
}

// cited is what a check's findings cite: the sources of the fields it
// reads, as text, and the weakest confidence among them.
type cited struct {
	sources    []string
	confidence string
}

// Prepare works out once what the checks of every target would otherwise
// work out again for this profile: its ClientHello's key (HelloKey) and
// the sources each check cites. A run of many targets (or many device
// handshakes) calls it after selecting its profiles; building the key
// alone was a quarter of Evaluate in a batch. The profile must not change
// afterwards.
func (p *Profile) Prepare() {
	prep := &preparation{helloKey: p.HelloSpec().Key(), cites: map[string]cited{}}
	for _, c := range registered() {
		prep.cites[c.ID()] = p.cite(c)
	}
	p.prepared = prep
}

// HelloKey is p.HelloSpec().Key(), the key of the device's dial in
// Observation.Hellos; worked out once after Prepare.
func (p *Profile) HelloKey() string {
	if p.prepared != nil {
		return p.prepared.helloKey
	}
	return p.HelloSpec().Key()
}

// cite returns what the findings of check c cite for this profile.
func (p *Profile) cite(c Check) cited {
	if p.prepared != nil {
		if ci, ok := p.prepared.cites[c.ID()]; ok {
			return ci
		}
	}
	refs, confidence := p.SourcesFor(c.Fields()...)
	return cited{citations(refs), confidence}
}

// TLSLimits is what the device offers in its ClientHello.
type TLSLimits struct {
	Versions []string `yaml:"versions"` // ssl3.0 … tls1.3
	// MaxVersion is the newest version the device can offer at all, for a
	// profile whose Versions are unknown: firmware released before a
	// version existed cannot speak it (SPWF01 and TLS 1.3). certlint then
	// offers TLS 1.0 up to it, and a server that refuses all of them fails
	// the device.
	MaxVersion   string   `yaml:"max_version"`
	CipherSuites []string `yaml:"cipher_suites"` // IANA names in offer order
	Curves       []string `yaml:"curves"`        // named groups
	SNI          *bool    `yaml:"sni"`           // nil = unknown
	// SNIMaxBytes is the longest host name the device sends as
	// server_name; it connects to a longer one without SNI (Arduino
	// WiFi101 drops names of 64 bytes or more). 0 = no known limit.
	SNIMaxBytes int `yaml:"sni_max_bytes"`

	// HelloVersion is the client_version field of the ClientHello; empty =
	// the newest of Versions. RecordVersion is the version in the header of
	// the record carrying it; empty = unknown (certlint sends tls1.0).
	HelloVersion  string `yaml:"hello_version"`
	RecordVersion string `yaml:"record_version"`
	// Compression lists the compression methods offered (null, deflate).
	Compression []string `yaml:"compression"`
	// Extensions names every extension of the ClientHello in wire order
	// (server_name, supported_groups, ec_point_formats, …). With
	// hello_known: full an empty list means the device sends none.
	Extensions []string `yaml:"extensions"`
	// SignatureAlgorithms lists the signature_algorithms entries in order,
	// as TLS names (rsa_pkcs1_sha256, ecdsa_secp256r1_sha256).
	SignatureAlgorithms []string `yaml:"signature_algorithms"`
	// MaxFragmentLength is the size (512, 1024, 2048, 4096) the device asks
	// for with max_fragment_length; 0 = it does not ask.
	MaxFragmentLength int `yaml:"max_fragment_length"`
	// HelloKnown says how much of the ClientHello is known: full (certlint
	// replays it byte for byte), partial (versions and suites; the rest is
	// approximated by certlint's TLS library), unknown. Empty = partial.
	HelloKnown string `yaml:"hello_known"`
	// HelloNote says what is known of the hello and what is not.
	HelloNote string `yaml:"hello_note"`
}

// CertificateLimits is what the device can process in a received chain.
// A zero limit means no known limit.
type CertificateLimits struct {
	MaxCertBytes    int      `yaml:"max_cert_bytes"`
	MaxChainBytes   int      `yaml:"max_chain_bytes"`
	MaxChainDepth   int      `yaml:"max_chain_depth"`
	KeyTypes        []string `yaml:"key_types"` // rsa, ecdsa, ed25519
	RSAMinBits      int      `yaml:"rsa_min_bits"`
	RSAMaxBits      int      `yaml:"rsa_max_bits"`
	ECCurves        []string `yaml:"ec_curves"`        // P-256, P-384, P-521; empty = any
	SignatureHashes []string `yaml:"signature_hashes"` // sha1, sha256, …
}

// TrustModel is how the device decides to trust a chain.
type TrustModel struct {
	// Model is loaded-ca (the user loads a CA), builtin-store (the device
	// ships roots) or none (no verification at all).
	Model      string   `yaml:"model"`
	CAFormats  []string `yaml:"ca_formats"` // der, pem
	CAMaxBytes int      `yaml:"ca_max_bytes"`
	// CARequiresSKI says the device finds its CA by Subject Key Identifier.
	CARequiresSKI bool `yaml:"ca_requires_ski"`
	// CASKIAutoFormats lists the CA formats from which the device extracts
	// the SKI by itself; for the others the user must supply it by hand.
	CASKIAutoFormats []string `yaml:"ca_ski_auto_formats"`
	// CAPath is where the CA file goes on the device; {ski} is replaced by
	// the root's SKI in hex.
	CAPath string `yaml:"ca_path"`
	// CALoadHint says how to load the CA (an AT command, a code snippet).
	CALoadHint string `yaml:"ca_load_hint"`
	// LoadSteps are the steps `certlint root` prints to load a root into the
	// device, as text/template strings over RootStepData ({{.FileName}},
	// {{.SKIColon}}, {{.PEM}} …); empty = a generic step and CALoadHint.
	LoadSteps []string `yaml:"load_steps"`
	// LoadSnippet is the code or commands to paste, as a template too.
	LoadSnippet string `yaml:"load_snippet"`
	// Store names the built-in root store (profiles/stores/NAME.yaml) a
	// builtin-store device holds; empty = judged against the Mozilla roots.
	Store                     string `yaml:"store"`
	AcceptsIntermediateAnchor bool   `yaml:"accepts_intermediate_anchor"`
	// PathOrder is where the device looks for a served certificate's
	// issuer: strict (the next one served), later (any certificate sent
	// after it), any (anywhere in what was sent) or unknown.
	PathOrder string `yaml:"path_order"`
	// StopsAtFirstHeldIssuer says the path ends at the first served
	// certificate whose issuer the device holds; nil = unknown.
	StopsAtFirstHeldIssuer *bool `yaml:"stops_at_first_held_issuer"`
	// AnchorMatch is how the held anchor is found: dn-key, dn, ski,
	// subject-hash or unknown.
	AnchorMatch string `yaml:"anchor_match"`
	// ValidatesUnused says the device parses and validates every
	// certificate it receives, even those off the path; nil = unknown.
	ValidatesUnused  *bool `yaml:"validates_unused"`
	VerifiesHostname *bool `yaml:"verifies_hostname"`
	VerifiesTime     *bool `yaml:"verifies_time"`
	// Pins lists the ways the device can pin its server (BearSSL's
	// setFingerprint, setKnownKey), read by the pin check when the user
	// gives the pins the device holds. Empty = the device cannot pin, or
	// no source says it can.
	Pins []PinMethod `yaml:"pins"`
}

// PinMethod is one way a device recognises its server by a pin: what it
// holds, which certificate it compares it with, how the value is written
// in device code, and what the device stops checking in that mode.
type PinMethod struct {
	// Kind is what the device holds: cert-sha1, cert-sha256, spki-sha256,
	// public-key or certificate (pin.Kinds).
	Kind string `yaml:"kind"`
	// Compares is the certificate the pin is compared with: leaf (the
	// first certificate served) or any (any served certificate).
	Compares string `yaml:"compares"`
	// Call names the API that sets the pin (WiFiClientSecure::setFingerprint).
	Call string `yaml:"call"`
	// Format is how the call takes the value (pin.Formats: hex-spaced,
	// pem-public-key, ...).
	Format string `yaml:"format"`
	// Code is device code that installs the pin; {value} is replaced by
	// the value in Format.
	Code string `yaml:"code"`
	// Bypasses lists the checks that do not apply while the device pins
	// this way, because it validates nothing else of the chain (BearSSL's
	// fingerprint validator ignores dates, names and issuers).
	Bypasses []string `yaml:"bypasses"`
	// LeafOnly lists the checks that, while the device pins this way,
	// apply to the first certificate served only: the device parses no
	// other (BearSSL's fingerprint validator reads the first certificate
	// and skips the rest), so a finding about another one does not apply.
	LeafOnly []string `yaml:"leaf_only"`
	// OnMismatch says what the device does and prints when the pin does
	// not match, quoted in the failure.
	OnMismatch string `yaml:"on_mismatch"`
	// Cost says what the method costs on the device (memory, flash,
	// clock), for the comparison of options in a fix.
	Cost string `yaml:"cost"`
}

// ReceiveLimits is how the device's TLS stack receives the server's
// handshake: the largest handshake message it takes (the Certificate
// message is the one that grows), how it counts that size, whether it
// reassembles a message the server split over several records, and its
// record buffer. A zero limit means no known limit; a nil bool, unknown.
type ReceiveLimits struct {
	// MaxHandshakeMessageBytes is the largest handshake message the stack
	// takes, counted as MessageCount says (mbedTLS: MBEDTLS_SSL_IN_CONTENT_LEN,
	// header included; wolfSSL: MAX_CERTIFICATE_SZ, body only).
	MaxHandshakeMessageBytes int `yaml:"max_handshake_message_bytes"`
	// MessageCount is with-header (the 4-byte handshake header counts
	// against the limit) or body (it does not).
	MessageCount string `yaml:"message_count"`
	// ReassemblesHandshake says whether a handshake message split over
	// several records is reassembled (mbedTLS 2.28: no; wolfSSL, BearSSL: yes).
	ReassemblesHandshake *bool `yaml:"reassembles_handshake"`
	// MaxRecordBytes is the plaintext record buffer: a record longer than
	// this is refused (mbedTLS: MBEDTLS_SSL_IN_CONTENT_LEN).
	MaxRecordBytes int `yaml:"max_record_bytes"`
}

// The ways a stack counts a handshake message against its limit.
const (
	CountWithHeader = "with-header"
	CountBody       = "body"
)

// ClientLimits is what the device accepts for its own certificate (mutual TLS).
type ClientLimits struct {
	CertMaxBytes int `yaml:"cert_max_bytes"`
}

// SourceRef cites where a profile value comes from.
type SourceRef struct {
	Ref        string `yaml:"ref"`
	URL        string `yaml:"url"`
	Confidence string `yaml:"confidence"`
	Note       string `yaml:"note"`
}

// Confidences lists the confidence levels a source can have, strongest first.
var Confidences = []string{"vendor-doc", "vendor-source", "vendor-forum", "field-report", "inferred", "unknown"}

// Selector returns what --device takes to select this profile: the ID, with
// @variant when a firmware variant was chosen.
func (p *Profile) Selector() string {
	if p.Variant == "" {
		return p.ID
	}
	return p.ID + "@" + p.Variant
}

// SourcesFor returns the citations of the given field paths, in order, and
// the weakest confidence among them (a finding is only as sure as its
// least-sure input). Entries of confidence "unknown" record a search that
// found nothing; they count only when nothing else is cited.
func (p *Profile) SourcesFor(fields ...string) (refs []SourceRef, confidence string) {
	n := 0
	for _, f := range fields {
		n += len(p.Sources[f])
	}
	if n == 0 {
		return nil, ""
	}
	refs = make([]SourceRef, 0, n)
	var unknown []SourceRef
	weakest := -1
	for _, f := range fields {
		for _, s := range p.Sources[f] {
			if slices.Contains(refs, s) || slices.Contains(unknown, s) {
				continue // one search cited for several fields is cited once
			}
			if confidenceRank(s.Confidence) == len(Confidences)-1 {
				unknown = append(unknown, s)
				continue
			}
			refs = append(refs, s)
			if i := confidenceRank(s.Confidence); i > weakest {
				weakest = i
			}
		}
	}
	if weakest < 0 {
		if len(unknown) > 0 {
			return unknown, "unknown"
		}
		return nil, ""
	}
	return refs, Confidences[weakest]
}

// sourced reports whether the profile cites a source for field other than
// a search that found nothing (confidence unknown): without one, the
// field's value (or its absence) is the profile's guess, not a known
// behaviour, and a check that would fail on it warns instead.
func (p *Profile) sourced(field string) bool {
	_, confidence := p.SourcesFor(field)
	return confidence != "" && confidence != "unknown"
}

func confidenceRank(c string) int {
	for i, name := range Confidences {
		if name == c {
			return i
		}
	}
	return len(Confidences) - 1
}

// Bool returns the value of an optional boolean and whether it is known.
func Bool(b *bool) (value, known bool) {
	if b == nil {
		return false, false
	}
	return *b, true
}
