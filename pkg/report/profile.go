package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
)

// This file renders the profiles command: the profile list, one profile
// with its sources and ClientHello, and a built-in root store.

// WriteRootStore prints a root store, one root per line, with where it comes from.
func WriteRootStore(w io.Writer, s *constraints.RootStore) error {
	fmt.Fprintf(w, "%s — %s, %d roots\nsource: %s\nto add a root: %s\n\n", s.Name, s.Title, len(s.Roots), s.Source, s.Update)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EXPIRES\tKEY\tSUBJECT\tSPKI SHA-256")
	for _, r := range s.Roots {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.NotAfter, r.Key, r.Subject, r.SPKISHA256)
	}
	return tw.Flush()
}

// WriteProfiles prints one line per profile, grouped by vendor (vendors
// in name order, profiles without one last).
func WriteProfiles(w io.Writer, profiles []*constraints.Profile) error {
	all := slices.Clone(profiles)
	sort.SliceStable(all, func(i, j int) bool {
		vi, vj := all[i].Vendor, all[j].Vendor
		if (vi == "") != (vj == "") {
			return vj == ""
		}
		return vi < vj
	})
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tFIRMWARE\tVARIANTS\tALIASES")
	for i, p := range all {
		if i == 0 || p.Vendor != all[i-1].Vendor {
			vendor := p.Vendor
			if vendor == "" {
				vendor = "other"
			}
			// Empty cells keep the vendor line inside the table, so one
			// set of columns spans every group.
			fmt.Fprintf(tw, "%s:\t\t\t\t\n", vendor)
		}
		variants := "-"
		if len(p.Variants) > 0 {
			variants = p.ID + "@" + strings.Join(p.Variants, ", "+p.ID+"@")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Firmware, variants, strings.Join(p.Aliases, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if _, err := fmt.Fprintln(w, strings.TrimRight(line, " ")); err != nil {
			return err
		}
	}
	return nil
}

// profileSummary is one profile in `profiles list -o json`.
type profileSummary struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Vendor   string   `json:"vendor,omitempty"`
	Firmware string   `json:"firmware"`
	Variants []string `json:"variants"`
	Aliases  []string `json:"aliases"`
}

// WriteProfilesJSON writes `profiles list -o json`
// (docs/schema/certlint-v1.json#/$defs/profiles).
func WriteProfilesJSON(w io.Writer, profiles []*constraints.Profile) error {
	doc := struct {
		Schema   string           `json:"schema"`
		Profiles []profileSummary `json:"profiles"`
	}{Schema: Schema, Profiles: []profileSummary{}}
	for _, p := range profiles {
		doc.Profiles = append(doc.Profiles, profileSummary{ID: p.ID, Name: p.Name, Vendor: p.Vendor, Firmware: p.Firmware,
			Variants: nonNilStrings(p.Variants), Aliases: nonNilStrings(p.Aliases)})
	}
	return writeIndented(w, doc)
}

// WriteProfileJSON writes `profiles show -o json`: the profile as selected
// (variant applied), every key under its YAML name as in
// docs/profile-reference.md (docs/schema/certlint-v1.json#/$defs/profile).
func WriteProfileJSON(w io.Writer, p *constraints.Profile) error {
	raw, err := yaml.Marshal(p)
	if err != nil {
		return fmt.Errorf("profile %s: %w", p.Selector(), err)
	}
	var fields map[string]interface{}
	if err := yaml.Unmarshal(raw, &fields); err != nil {
		return fmt.Errorf("profile %s: %w", p.Selector(), err)
	}
	return writeIndented(w, struct {
		Schema   string                 `json:"schema"`
		Selector string                 `json:"selector"`
		Variants []string               `json:"variants"`
		Profile  map[string]interface{} `json:"profile"`
	}{Schema, p.Selector(), nonNilStrings(p.Variants), fields})
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// WriteProfile prints every field of the profile that has a value, each
// followed by its sources, so a user can judge how far to trust it.
func WriteProfile(w io.Writer, p *constraints.Profile) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s, firmware %s\n", p.Selector(), p.Name, p.Firmware)
	if len(p.Aliases) > 0 {
		fmt.Fprintf(&b, "aliases: %s\n", strings.Join(p.Aliases, ", "))
	}
	if len(p.Variants) > 0 {
		fmt.Fprintf(&b, "firmware variants: %s@%s\n", p.ID, strings.Join(p.Variants, ", "+p.ID+"@"))
	}
	if p.Notes != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(p.Notes))
	}
	writeClientHello(&b, p)
	for _, field := range profileFields(p) {
		fmt.Fprintf(&b, "\n%s: %s\n", field.path, field.value)
		refs, _ := p.SourcesFor(field.path)
		if len(refs) == 0 {
			b.WriteString("    source: none cited\n")
		}
		for _, r := range refs {
			fmt.Fprintf(&b, "    [%s] %s", r.Confidence, r.Ref)
			if r.URL != "" {
				fmt.Fprintf(&b, " — %s", r.URL)
			}
			b.WriteString("\n")
			if r.Note != "" {
				fmt.Fprintf(&b, "        %s\n", r.Note)
			}
		}
	}
	if len(p.WarnOnly) > 0 {
		b.WriteString("\nconnects with a warning instead of failing:\n")
		for _, k := range slices.Sorted(maps.Keys(p.WarnOnly)) {
			fmt.Fprintf(&b, "    %s: %s\n", k, p.WarnOnly[k])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type profileField struct{ path, value string }

// profileFields lists the profile's limits in a fixed, readable order.
func profileFields(p *constraints.Profile) []profileField {
	c, t := p.Certificates, p.Trust
	fields := []profileField{
		{"tls.versions", listText(p.TLS.Versions)},
		{"tls.max_version", orUnknown(p.TLS.MaxVersion)},
		{"tls.cipher_suites", listText(p.TLS.CipherSuites)},
		{"tls.curves", listText(p.TLS.Curves)},
		{"tls.sni", optBool(p.TLS.SNI)},
		{"tls.sni_max_bytes", limitText(p.TLS.SNIMaxBytes, "bytes")},
		{"tls.hello_note", "hello_known: " + p.HelloKnown()},
		{"certificates.max_cert_bytes", limitText(c.MaxCertBytes, "bytes")},
		{"certificates.max_chain_bytes", limitText(c.MaxChainBytes, "bytes")},
		{"certificates.max_chain_depth", limitText(c.MaxChainDepth, "certificates")},
		{"certificates.key_types", listText(c.KeyTypes)},
		{"certificates.rsa_min_bits", limitText(c.RSAMinBits, "bits")},
		{"certificates.rsa_max_bits", limitText(c.RSAMaxBits, "bits")},
		{"certificates.ec_curves", listText(c.ECCurves)},
		{"certificates.signature_hashes", listText(c.SignatureHashes)},
		{"trust.model", t.Model},
		{"trust.store", storeText(t.Store)},
		{"trust.ca_formats", listText(t.CAFormats)},
		{"trust.ca_max_bytes", limitText(t.CAMaxBytes, "bytes")},
		{"trust.ca_requires_ski", fmt.Sprint(t.CARequiresSKI)},
		{"trust.ca_ski_auto_formats", listText(t.CASKIAutoFormats)},
		{"trust.ca_path", orUnknown(t.CAPath)},
		{"trust.ca_load_hint", orUnknown(t.CALoadHint)},
		{"trust.accepts_intermediate_anchor", fmt.Sprint(t.AcceptsIntermediateAnchor)},
		{"trust.path_order", orUnknown(t.PathOrder)},
		{"trust.stops_at_first_held_issuer", optBool(t.StopsAtFirstHeldIssuer)},
		{"trust.anchor_match", orUnknown(t.AnchorMatch)},
		{"trust.validates_unused", optBool(t.ValidatesUnused)},
		{"trust.verifies_hostname", optBool(t.VerifiesHostname)},
		{"trust.verifies_time", optBool(t.VerifiesTime)},
		{"trust.pins", constraints.DescribePins(t.Pins)},
		{"client.cert_max_bytes", limitText(p.Client.CertMaxBytes, "bytes")},
		{"receive.max_handshake_message_bytes", messageLimit(p.Receive)},
		{"receive.reassembles_handshake", optBool(p.Receive.ReassemblesHandshake)},
		{"receive.max_record_bytes", limitText(p.Receive.MaxRecordBytes, "bytes")},
	}
	return fields
}

func listText(items []string) string {
	if len(items) == 0 {
		return "unknown / unrestricted"
	}
	return strings.Join(items, ", ")
}

func limitText(n int, unit string) string {
	if n == 0 {
		return "no known limit"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// messageLimit shows the largest handshake message with how it is counted.
func messageLimit(r constraints.ReceiveLimits) string {
	if r.MaxHandshakeMessageBytes == 0 {
		return limitText(0, "")
	}
	return fmt.Sprintf("%d bytes, counted %s", r.MaxHandshakeMessageBytes, r.MessageCount)
}

func optBool(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return fmt.Sprint(*b)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// writeClientHello prints the ClientHello certlint sends as the device,
// field by field in wire order, and whether it is the device's exact hello
// or an approximation.
func writeClientHello(b *strings.Builder, p *constraints.Profile) {
	spec := p.HelloSpec()
	known := p.HelloKnown()
	fmt.Fprintf(b, "\nClientHello (hello_known: %s):\n", known)
	if len(spec.Versions) == 0 {
		b.WriteString("    not replayed: the profile lists no TLS version\n")
		if p.TLS.HelloNote != "" {
			fmt.Fprintf(b, "    %s\n", strings.TrimSpace(p.TLS.HelloNote))
		}
		return
	}
	hello := spec.HelloVersion
	if hello == "" {
		hello = newestVersion(spec.Versions) + " (newest listed)"
	}
	fmt.Fprintf(b, "    record version:  %s\n", orDefault(spec.RecordVersion, "tls1.0 (certlint's TLS library; the device's is unknown)"))
	fmt.Fprintf(b, "    client_version:  %s (accepts %s)\n", hello, strings.Join(spec.Versions, ", "))
	b.WriteString("    cipher suites:\n")
	for _, name := range spec.CipherSuites {
		id, _ := chain.CipherSuiteByName(name)
		fmt.Fprintf(b, "        0x%04x %s\n", id, name)
	}
	if len(spec.CipherSuites) == 0 {
		b.WriteString("        unknown: certlint offers its own list\n")
	}
	if spec.Exact {
		fmt.Fprintf(b, "    compression:     %s\n", orDefault(strings.Join(spec.Compression, ", "), "null"))
		b.WriteString("    extensions:\n")
		for _, name := range spec.Extensions {
			fmt.Fprintf(b, "        %s%s\n", name, extensionContents(spec, name))
		}
		if len(spec.Extensions) == 0 {
			b.WriteString("        none\n")
		}
		b.WriteString("    replayed exactly (random and session ID aside)\n")
	} else {
		fmt.Fprintf(b, "    server_name:     %t\n", spec.SNI)
		if len(spec.Curves) > 0 {
			fmt.Fprintf(b, "    groups:          %s\n", strings.Join(spec.Curves, ", "))
		}
		if len(spec.SignatureAlgorithms) > 0 {
			fmt.Fprintf(b, "    signature algs:  %s\n", strings.Join(spec.SignatureAlgorithms, ", "))
		}
		b.WriteString("    approximated: compression and extensions are not known, so certlint's TLS library sends its own\n")
	}
	if p.TLS.HelloNote != "" && !spec.Exact {
		fmt.Fprintf(b, "    %s\n", strings.TrimSpace(p.TLS.HelloNote))
	}
}

// extensionContents says what an extension carries, for those with a list.
func extensionContents(spec chain.HelloSpec, name string) string {
	switch name {
	case "server_name":
		return " (the target's host name)"
	case "supported_groups":
		return ": " + strings.Join(spec.Curves, ", ")
	case "signature_algorithms":
		return ": " + strings.Join(spec.SignatureAlgorithms, ", ")
	case "max_fragment_length":
		return fmt.Sprintf(": %d bytes", spec.MaxFragmentLength)
	case "ec_point_formats":
		return ": uncompressed"
	}
	return ""
}

// newestVersion returns the newest of the profile version names.
func newestVersion(names []string) string {
	best, bestID := "", uint16(0)
	for _, n := range names {
		if v, ok := chain.VersionByProfileName(n); ok && v.ID >= bestID {
			best, bestID = n, v.ID
		}
	}
	return best
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// storeText names a built-in root store with its origin and size.
func storeText(name string) string {
	if name == "" {
		return "none named (judged against the Mozilla roots)"
	}
	s, err := constraints.LoadStore(name)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s: %s, %d roots (certlint profiles store %s lists them)", s.Name, s.Title, len(s.Roots), s.Name)
}

// writeIndented writes one indented JSON document.
func writeIndented(w io.Writer, v interface{}) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
