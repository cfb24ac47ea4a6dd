package oracle

import (
	"regexp"
	"strconv"
	"strings"
)

// probeCulprit maps a probe's error line to the certlint checks that
// predict that error and the certificate index the stack named (if any).
func probeCulprit(stack, line string) ([]string, []int) {
	f := strings.Fields(line) // ERR NAME NUMBER [flags=…|verify=…] [depth=N]
	name := f[1]
	var index []int
	if m := regexp.MustCompile(`depth=(\d+)`).FindStringSubmatch(line); m != nil {
		d, _ := strconv.Atoi(m[1])
		index = []int{d}
	}
	table := culprits[stack]
	if stack == "mbedtls" && name == "X509_CERT_VERIFY_FAILED" {
		m := regexp.MustCompile(`flags=(\S+)`).FindStringSubmatch(line)
		if m == nil {
			return nil, index
		}
		var out []string
		for _, flag := range strings.Split(m[1], "|") {
			out = append(out, mbedtlsFlags[flag]...)
		}
		return out, index
	}
	if m := regexp.MustCompile(`verify=(\S+)`).FindStringSubmatch(line); m != nil && table[m[1]] != nil {
		return table[m[1]], index // the verify callback's error is the cause
	}
	return table[name], index
}

// What each stack error means in certlint's terms. An error that more
// than one check can predict lists them all (a missing intermediate is
// both chain-complete and trust-anchor).
var culprits = map[string]map[string][]string{
	"bearssl": {
		"BR_ERR_X509_EXPIRED":         {"validity"},
		"BR_ERR_X509_TIME_UNKNOWN":    {"validity"},
		"BR_ERR_X509_NOT_TRUSTED":     {"trust-anchor", "chain-complete"},
		"BR_ERR_X509_DN_MISMATCH":     {"chain-complete", "trust-anchor"},
		"BR_ERR_X509_BAD_SERVER_NAME": {"hostname"},
		"BR_ERR_X509_BAD_SIGNATURE":   {"trust-anchor", "signature"},
		"BR_ERR_X509_UNSUPPORTED":     {"signature", "key-type"},
		"BR_ERR_X509_WRONG_KEY_TYPE":  {"key-type"},
		"BR_ERR_X509_LIMIT_EXCEEDED":  {"key-size", "cert-size"},
		"BR_ERR_TOO_LARGE":            {"message-size"},
		"BR_ERR_BAD_LENGTH":           {"message-size"},
		"BR_ERR_UNSUPPORTED_VERSION":  {"tls-version"},
		"BR_ERR_BAD_VERSION":          {"tls-version"},
		"BR_ERR_BAD_CIPHER_SUITE":     {"cipher-suite"},
		"BR_ERR_RECV_FATAL_ALERT+40":  {"cipher-suite", "tls-version"},
		"BR_ERR_RECV_FATAL_ALERT+70":  {"tls-version"},
		"BR_ERR_RECV_FATAL_ALERT+112": {"sni"},
	},
	"mbedtls": {
		"SSL_INVALID_RECORD":          {"message-size"},
		"SSL_BAD_INPUT_DATA":          {"message-size"}, // a record longer than the whole input buffer
		"SSL_FEATURE_UNAVAILABLE":     {"message-size"},
		"SSL_BAD_HS_PROTOCOL_VERSION": {"tls-version"},
		"SSL_BAD_HS_SERVER_HELLO":     {"tls-version", "cipher-suite"},
		"SSL_NO_CIPHER_CHOSEN":        {"cipher-suite"},
		"SSL_FATAL_ALERT_MESSAGE":     {"tls-version", "cipher-suite"},
		"X509_FATAL_ERROR":            {"key-type", "signature"},
	},
	"wolfssl": {
		"ASN_BEFORE_DATE_E":    {"validity"},
		"ASN_AFTER_DATE_E":     {"validity"},
		"ASN_NO_SIGNER_E":      {"trust-anchor", "chain-complete"},
		"ASN_SIG_CONFIRM_E":    {"trust-anchor", "signature"},
		"DOMAIN_NAME_MISMATCH": {"hostname"},
		"HANDSHAKE_SIZE_ERROR": {"message-size"},
		"BUFFER_ERROR":         {"message-size"},
		"VERSION_ERROR":        {"tls-version"},
		"FATAL_ERROR":          {"tls-version", "cipher-suite"},
		"MATCH_SUITE_ERROR":    {"cipher-suite"},
	},
}

// mbedtlsFlags maps mbedTLS X.509 verify flags.
var mbedtlsFlags = map[string][]string{
	"EXPIRED":     {"validity"},
	"FUTURE":      {"validity"},
	"NOT_TRUSTED": {"trust-anchor", "chain-complete"},
	"CN_MISMATCH": {"hostname"},
	"BAD_MD":      {"signature"},
	"BAD_PK":      {"key-type"},
	"BAD_KEY":     {"key-size", "key-type"},
}

// knownDisagreement returns why a disagreement is understood but not
// fixed yet (each is written down in FINDINGS.md), or "" for one that is
// not. The summary lists known disagreements apart and does not count them
// as passed.
func knownDisagreement(scenario, config string, p, cl outcome) string {
	// None is open: FINDINGS.md 1-6 are fixed. A new one gets a case here
	// (scenario, configuration and outcomes) naming its FINDINGS.md entry,
	// and loses it when it is fixed.
	return ""
}
