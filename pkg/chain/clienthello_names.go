package chain

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Extension is one ClientHello extension certlint can put on the wire, by
// its IANA name and code point (TLS ExtensionType registry).
type Extension struct {
	Name string
	ID   uint16
}

// Extensions lists the ClientHello extensions a profile may name, in code
// point order. They are the ones constrained devices send (RFC 4366, 5246,
// 6066, 7627, 5077, 5746, 7366, 6520); TLS 1.3 extensions are absent because
// none of these devices speaks TLS 1.3.
var Extensions = []Extension{
	{"server_name", 0},
	{"max_fragment_length", 1},
	{"truncated_hmac", 4},
	{"status_request", 5},
	{"supported_groups", 10},
	{"ec_point_formats", 11},
	{"signature_algorithms", 13},
	{"heartbeat", 15},
	{"signed_certificate_timestamp", 18},
	{"encrypt_then_mac", 22},
	{"extended_master_secret", 23},
	{"session_ticket", 35},
	{"renegotiation_info", 0xff01},
}

// ExtensionByName looks up an extension by its IANA name.
func ExtensionByName(name string) (Extension, bool) {
	for _, e := range Extensions {
		if e.Name == name {
			return e, true
		}
	}
	return Extension{}, false
}

// ExtensionName returns the IANA name of an extension code point, or
// ext_N for one certlint does not know.
func ExtensionName(id uint16) string {
	for _, e := range Extensions {
		if e.ID == id {
			return e.Name
		}
	}
	return "ext_" + strconv.Itoa(int(id))
}

// ExtensionNames lists the extension names certlint knows.
func ExtensionNames() []string {
	names := make([]string, len(Extensions))
	for i, e := range Extensions {
		names[i] = e.Name
	}
	return names
}

// signatureAlgorithms maps TLS 1.2 SignatureAndHashAlgorithm pairs (hash
// byte, signature byte; RFC 5246 §7.4.1.4.1) to the names of the TLS
// SignatureScheme registry (RFC 8446 §4.2.3), which Wireshark also shows.
var signatureAlgorithms = map[string]uint16{
	"rsa_md5":                0x0101,
	"rsa_pkcs1_sha1":         0x0201,
	"dsa_sha1":               0x0202,
	"ecdsa_sha1":             0x0203,
	"rsa_pkcs1_sha224":       0x0301,
	"dsa_sha224":             0x0302,
	"ecdsa_sha224":           0x0303,
	"rsa_pkcs1_sha256":       0x0401,
	"dsa_sha256":             0x0402,
	"ecdsa_secp256r1_sha256": 0x0403,
	"rsa_pkcs1_sha384":       0x0501,
	"ecdsa_secp384r1_sha384": 0x0503,
	"rsa_pkcs1_sha512":       0x0601,
	"ecdsa_secp521r1_sha512": 0x0603,
	"rsa_pss_rsae_sha256":    0x0804,
	"rsa_pss_rsae_sha384":    0x0805,
	"rsa_pss_rsae_sha512":    0x0806,
	"ed25519":                0x0807,
}

// SignatureAlgorithmByName returns the wire value of a signature algorithm name.
func SignatureAlgorithmByName(name string) (uint16, bool) {
	id, ok := signatureAlgorithms[name]
	return id, ok
}

// SignatureAlgorithmName returns the name of a wire value, or 0xNNNN.
func SignatureAlgorithmName(id uint16) string {
	for n, v := range signatureAlgorithms {
		if v == id {
			return n
		}
	}
	return fmt.Sprintf("0x%04x", id)
}

// SignatureAlgorithmNames lists the known names, sorted.
func SignatureAlgorithmNames() []string { return slices.Sorted(maps.Keys(signatureAlgorithms)) }

// compressionMethods are the ClientHello compression methods (RFC 5246,
// RFC 3749).
var compressionMethods = map[string]uint8{"null": 0, "deflate": 1}

// CompressionMethodByName returns the wire value of a compression method name.
func CompressionMethodByName(name string) (uint8, bool) {
	id, ok := compressionMethods[name]
	return id, ok
}

// CompressionMethodNames lists the known names.
func CompressionMethodNames() []string { return []string{"null", "deflate"} }

// HelloKnowledge values say how much of a device's ClientHello a profile knows.
const (
	HelloFull    = "full"    // every field: certlint replays the hello byte for byte
	HelloPartial = "partial" // versions and suites at least; the rest is approximated
	HelloUnknown = "unknown" // too little to replay
)

// HelloKnowledgeNames lists the values tls.hello_known may take.
func HelloKnowledgeNames() []string { return []string{HelloFull, HelloPartial, HelloUnknown} }

// MaxFragmentLengths maps the sizes a device may ask for with
// max_fragment_length to the extension's code (RFC 6066 §4).
var MaxFragmentLengths = map[int]uint8{512: 1, 1024: 2, 2048: 3, 4096: 4}
