package constraints

import (
	"github.com/certlint/certlint/pkg/chain"
	"go.yaml.in/yaml/v3"
)

// HelloSpec is the ClientHello the device sends, as far as the profile
// knows it. A device whose SNI behaviour is unknown is assumed to send SNI,
// as every current TLS library does. Only a profile with hello_known: full
// is replayed byte for byte; the others are approximated, and the result
// says so.
func (p *Profile) HelloSpec() chain.HelloSpec {
	sni, known := Bool(p.TLS.SNI)
	return chain.HelloSpec{
		Versions:            p.OfferedVersions(),
		CipherSuites:        p.TLS.CipherSuites,
		Curves:              p.TLS.Curves,
		SNI:                 sni || !known,
		HelloVersion:        p.TLS.HelloVersion,
		RecordVersion:       p.TLS.RecordVersion,
		Compression:         p.TLS.Compression,
		Extensions:          p.TLS.Extensions,
		SignatureAlgorithms: p.TLS.SignatureAlgorithms,
		MaxFragmentLength:   p.TLS.MaxFragmentLength,
		Exact:               p.HelloKnown() == chain.HelloFull,
	}
}

// HelloSpecFor is the device's ClientHello for a connection to serverName:
// HelloSpec, without SNI when the name is longer than the device sends
// (tls.sni_max_bytes).
func (p *Profile) HelloSpecFor(serverName string) chain.HelloSpec {
	spec := p.HelloSpec()
	if p.DropsSNI(serverName) {
		spec.SNI = false
	}
	return spec
}

// HelloKeyFor is HelloSpecFor(serverName).Key(), the key of the device's
// dial to serverName in Observation.Hellos.
func (p *Profile) HelloKeyFor(serverName string) string {
	if p.DropsSNI(serverName) {
		return p.HelloSpecFor(serverName).Key()
	}
	return p.HelloKey()
}

// DropsSNI reports whether the device, which sends SNI, leaves it out for
// serverName because the name is longer than tls.sni_max_bytes.
func (p *Profile) DropsSNI(serverName string) bool {
	sends, known := Bool(p.TLS.SNI)
	return (sends || !known) && p.TLS.SNIMaxBytes > 0 && len(serverName) > p.TLS.SNIMaxBytes
}

// OfferedVersions returns the versions certlint offers in the device's
// ClientHello: the profile's versions, or, when they are unknown but the
// newest version the device can speak is (tls.max_version), TLS 1.0 up to
// that one. Empty when neither is known.
func (p *Profile) OfferedVersions() []string {
	if len(p.TLS.Versions) > 0 || p.TLS.MaxVersion == "" {
		return p.TLS.Versions
	}
	var out []string
	for _, v := range chain.Versions {
		if v.Profile == "ssl3.0" {
			continue
		}
		out = append(out, v.Profile)
		if v.Profile == p.TLS.MaxVersion {
			break
		}
	}
	return out
}

// HelloKnown returns how much of the device's ClientHello the profile
// knows: full, partial or unknown (a profile without versions knows too
// little to replay).
func (p *Profile) HelloKnown() string {
	switch {
	case p.TLS.HelloKnown != "":
		return p.TLS.HelloKnown
	case len(p.TLS.Versions) == 0:
		return chain.HelloUnknown
	}
	return chain.HelloPartial
}

// helloRules checks that the ClientHello fields of a profile agree with
// each other, so that what certlint replays is what the profile says.
func (v *validator) helloRules(root *yaml.Node, prefix string) {
	tlsNode := mapValue(root, "tls")
	if tlsNode == nil || tlsNode.Kind != yaml.MappingNode {
		return
	}
	mfl := mapValue(tlsNode, "max_fragment_length")
	size := 0
	if mfl != nil {
		if err := mfl.Decode(&size); err == nil && size != 0 {
			if _, ok := chain.MaxFragmentLengths[size]; !ok {
				v.errorf(mfl, "%stls.max_fragment_length: %d is not a size the extension can ask for (512, 1024, 2048, 4096)", prefix, size)
			}
		}
	}
	exts := map[string]*yaml.Node{}
	for _, item := range seqAt(tlsNode, "extensions") {
		if exts[item.Value] != nil {
			v.errorf(item, "%stls.extensions: %q is listed twice (a ClientHello carries each extension once)", prefix, item.Value)
		}
		exts[item.Value] = item
	}
	if n := exts["max_fragment_length"]; n != nil && size == 0 {
		v.errorf(n, "%stls.extensions lists max_fragment_length: give the size with tls.max_fragment_length (512, 1024, 2048 or 4096)", prefix)
	}
	known := mapValue(tlsNode, "hello_known")
	if known == nil || known.Value != chain.HelloFull {
		return
	}
	if len(seqAt(tlsNode, "versions")) == 0 || len(seqAt(tlsNode, "cipher_suites")) == 0 {
		v.errorf(known, "%stls.hello_known: full needs tls.versions and tls.cipher_suites (the suites in the device's order)", prefix)
	}
	if mapValue(tlsNode, "extensions") == nil {
		v.errorf(known, "%stls.hello_known: full needs tls.extensions (write [] for a device that sends none)", prefix)
	}
	if sni := mapValue(tlsNode, "sni"); sni != nil && (sni.Value == "true") != (exts["server_name"] != nil) {
		v.errorf(sni, "%stls.sni is %s but tls.extensions %s server_name", prefix, sni.Value, map[bool]string{true: "lists", false: "does not list"}[exts["server_name"] != nil])
	}
	if n := exts["signature_algorithms"]; n != nil && len(seqAt(tlsNode, "signature_algorithms")) == 0 {
		v.errorf(n, "%stls.extensions lists signature_algorithms: give them in tls.signature_algorithms", prefix)
	}
	if n := exts["supported_groups"]; n != nil && len(seqAt(tlsNode, "curves")) == 0 {
		v.errorf(n, "%stls.extensions lists supported_groups: give the groups in tls.curves", prefix)
	}
}
