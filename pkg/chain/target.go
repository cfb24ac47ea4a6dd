package chain

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// Target is one server to check, as parsed from the command line.
type Target struct {
	Input      string // the target exactly as the user gave it
	Host       string // host name (lower case) or IP literal, without brackets or port
	Port       int    // TCP port
	ServerName string // SNI and the name to verify: Host, or empty when Host is an IP literal
}

// DefaultPort is the port of a target given without one and without a URL scheme.
const DefaultPort = 443

// schemePorts maps the URL schemes certlint understands to their default
// port. Only TLS-from-the-first-byte protocols are here: STARTTLS schemes
// would need a protocol exchange before the handshake.
var schemePorts = map[string]int{
	"https": 443,
	"mqtts": 8883,
	"amqps": 5671,
}

// ErrBadTarget is wrapped by every error ParseTarget returns, so callers can
// tell a usage error (exit code 2, no dial attempted) from a network error.
var ErrBadTarget = errors.New("bad target")

// ParseTarget parses host, host:port, [v6]:port, an IP literal or a URL
// (https://, mqtts://, amqps://, with an optional explicit port). The port
// defaults to 443, or to the scheme's port for a URL.
func ParseTarget(s string) (Target, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Target{}, fmt.Errorf("%w: empty target", ErrBadTarget)
	}
	var host, port string
	var defPort int
	var err error
	if strings.Contains(in, "://") {
		host, port, defPort, err = splitURL(in)
	} else {
		host, port, err = splitHostPort(in)
		defPort = DefaultPort
	}
	if err != nil {
		return Target{}, fmt.Errorf("%w %q: %v", ErrBadTarget, in, err)
	}
	t := Target{Input: s, Host: host, Port: defPort}
	if port != "" {
		if t.Port, err = parsePort(port); err != nil {
			return Target{}, fmt.Errorf("%w %q: %v", ErrBadTarget, in, err)
		}
	}
	if net.ParseIP(t.Host) == nil {
		t.Host = strings.ToLower(strings.TrimSuffix(t.Host, "."))
		if !isASCII(t.Host) {
			// An internationalised name (bücher.example) is dialled, sent as
			// SNI and matched in its ASCII form (xn--bcher-kva.example).
			ascii, err := idna.Lookup.ToASCII(t.Host)
			if err != nil {
				return Target{}, fmt.Errorf("%w %q: not a valid internationalised host name: %v", ErrBadTarget, in, err)
			}
			t.Host = ascii
		}
		t.ServerName = t.Host
	}
	if err := checkHost(t.Host); err != nil {
		return Target{}, fmt.Errorf("%w %q: %v", ErrBadTarget, in, err)
	}
	return t, nil
}

// splitURL takes host and port out of a URL with a known scheme.
func splitURL(in string) (host, port string, defPort int, err error) {
	u, err := url.Parse(in)
	if err != nil {
		return "", "", 0, fmt.Errorf("not a valid URL: %v", err)
	}
	scheme := strings.ToLower(u.Scheme)
	defPort, ok := schemePorts[scheme]
	if !ok {
		return "", "", 0, fmt.Errorf("unknown scheme %q (known: %s)", u.Scheme, knownSchemes())
	}
	return u.Hostname(), u.Port(), defPort, nil
}

// knownSchemes lists the supported URL schemes for error messages.
func knownSchemes() string {
	names := make([]string, 0, len(schemePorts))
	for n, p := range schemePorts {
		names = append(names, n+":// ("+strconv.Itoa(p)+")")
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// splitHostPort accepts host, host:port, [v6], [v6]:port and a bare IPv6
// literal (which has colons but no port).
func splitHostPort(in string) (host, port string, err error) {
	if strings.ContainsAny(in, "/?#@") {
		return "", "", errors.New("unexpected path or user part; give host[:port] or a URL")
	}
	if strings.HasPrefix(in, "[") {
		if strings.HasSuffix(in, "]") {
			return in[1 : len(in)-1], "", nil
		}
		h, p, err := net.SplitHostPort(in)
		if err != nil {
			return "", "", fmt.Errorf("bad [ipv6]:port: %v", err)
		}
		return h, p, emptyPort(p)
	}
	if net.ParseIP(in) != nil {
		return in, "", nil // an IPv6 literal without brackets, or IPv4
	}
	switch strings.Count(in, ":") {
	case 0:
		return in, "", nil
	case 1:
		h, p, err := net.SplitHostPort(in)
		if err != nil {
			return "", "", err
		}
		return h, p, emptyPort(p)
	}
	return "", "", errors.New("too many colons; write an IPv6 address with a port as [addr]:port")
}

// emptyPort rejects "host:" so a forgotten port is not silently 443.
func emptyPort(p string) error {
	if p == "" {
		return errors.New(`bad port "" (want 1-65535)`)
	}
	return nil
}

// parsePort parses a TCP port number, 1 to 65535.
func parsePort(p string) (int, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("bad port %q (want 1-65535)", p)
	}
	return n, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// checkHost rejects an empty host and characters no host name or IP literal has.
func checkHost(h string) error {
	if h == "" {
		return errors.New("empty host")
	}
	if ip := net.ParseIP(h); ip != nil {
		return nil
	}
	for _, r := range h {
		ok := r == '-' || r == '.' || r == '_' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("host %q has an invalid character %q", h, r)
		}
	}
	return nil
}
