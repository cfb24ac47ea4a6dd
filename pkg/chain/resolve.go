package chain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// MaxCNAMEHops caps the CNAME walk. Real resolvers give up around 8–16
// hops; a longer chain is a misconfiguration worth reporting, not following.
const MaxCNAMEHops = 16

// DefaultDNSTimeout bounds one Resolve call when Resolver.Timeout is zero.
const DefaultDNSTimeout = 5 * time.Second

// resolvConfPath is where the system resolver list is read from.
const resolvConfPath = "/etc/resolv.conf"

// The kinds of DNS failure. A *DNSError wraps exactly one of them, so
// callers branch with errors.Is(err, chain.ErrNoSuchHost).
var (
	ErrNoSuchHost        = errors.New("no such host (NXDOMAIN)")
	ErrServerFailure     = errors.New("DNS server failure (SERVFAIL)")
	ErrDNSRefused        = errors.New("DNS query refused or rejected")
	ErrDNSTimeout        = errors.New("DNS timeout: no answer from the resolver")
	ErrNoAddresses       = errors.New("no A or AAAA records")
	ErrCNAMELoop         = errors.New("CNAME loop")
	ErrCNAMEChainTooLong = errors.New("CNAME chain too long")
	ErrNoDNSServer       = errors.New("no DNS server configured")
)

// DNSError is a failed name resolution: which host, which name in its CNAME
// walk failed, which server answered, and the kind of failure.
type DNSError struct {
	Host   string // the host Resolve was asked for
	Name   string // the name whose query failed (Host or a CNAME target)
	Server string // the DNS server asked, host:port
	Kind   error  // one of the Err* kinds above
	Detail string // extra context: the CNAME path, the underlying network error
}

// Error says what failed in one line, e.g.
// "resolve a.example: no such host (NXDOMAIN) for b.example via 10.0.0.1:53".
func (e *DNSError) Error() string {
	var b strings.Builder
	b.WriteString("resolve " + e.Host + ": " + e.Kind.Error())
	if e.Name != "" && e.Name != e.Host {
		b.WriteString(" for " + e.Name)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Server != "" {
		b.WriteString(" (via " + e.Server + ")")
	}
	return b.String()
}

// Unwrap returns the kind, so errors.Is works against the Err* values.
func (e *DNSError) Unwrap() error { return e.Kind }

// Resolver resolves a host the way certlint needs: the whole CNAME walk and
// every address, from a chosen DNS server.
type Resolver struct {
	// Server is the DNS server as host:port (port 53 when omitted), or
	// several separated by commas, tried in order; empty means the servers
	// in /etc/resolv.conf, tried in order.
	Server string
	// Timeout bounds one Resolve call; zero means DefaultDNSTimeout.
	Timeout time.Duration
}

// Resolution is how a host resolved.
type Resolution struct {
	CNAMEs    []string // every CNAME hop after the host, in order, without trailing dots
	Addresses []string // every A then every AAAA, deduplicated and sorted
}

// Resolve walks host's CNAME chain and collects every A and AAAA record of
// the final name. An IP literal resolves to itself without a query. Queries
// go over UDP and are retried over TCP when the answer is truncated. On
// error the Resolution still holds the CNAMEs walked before the failure, and
// the error is a *DNSError.
func (r *Resolver) Resolve(ctx context.Context, host string) (Resolution, error) {
	if r == nil {
		r = &Resolver{}
	}
	host = strings.TrimSuffix(strings.TrimSpace(host), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return Resolution{Addresses: []string{ip.WithZone("").String()}}, nil
	}
	if host == "" {
		return Resolution{}, &DNSError{Host: host, Kind: ErrNoSuchHost, Detail: "empty host name"}
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultDNSTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	servers, err := r.servers()
	if err != nil {
		return Resolution{}, &DNSError{Host: host, Kind: ErrNoDNSServer, Detail: err.Error()}
	}
	w := &walker{host: host, servers: servers, seen: map[string]bool{}}
	return w.resolve(ctx)
}

// ParseServers reads a --resolver value: one or more DNS servers, comma
// separated, each an IP address with an optional port (53 by default):
// 192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53. It returns host:port
// forms, or an error saying what is wrong, so a bad value is refused
// before any target is resolved.
func ParseServers(list string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		server := withDNSPort(s, "53")
		host, port, err := net.SplitHostPort(server)
		if err != nil {
			return nil, fmt.Errorf("%q: want IP[:PORT] (192.0.2.53, [2001:db8::53]:53)", s)
		}
		if net.ParseIP(host) == nil {
			return nil, fmt.Errorf("%q: %q is not an IP address; want IP[:PORT] (192.0.2.53, [2001:db8::53]:53)", s, host)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q: bad port %q (want 1-65535)", s, port)
		}
		out = append(out, server)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty server list %q", list)
	}
	return out, nil
}

// servers returns the DNS servers to ask, in order.
func (r *Resolver) servers() ([]string, error) {
	if r.Server != "" {
		return ParseServers(r.Server)
	}
	conf, err := dns.ClientConfigFromFile(resolvConfPath)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", resolvConfPath, err)
	}
	if len(conf.Servers) == 0 {
		return nil, fmt.Errorf("%s lists no nameserver", resolvConfPath)
	}
	out := make([]string, 0, len(conf.Servers))
	for _, s := range conf.Servers {
		out = append(out, withDNSPort(s, conf.Port))
	}
	return out, nil
}

// withDNSPort adds port to a server given without one (IPv6 in brackets or bare).
func withDNSPort(server, port string) string {
	if _, _, err := net.SplitHostPort(server); err == nil {
		return server
	}
	return net.JoinHostPort(strings.Trim(server, "[]"), port)
}

// walker holds the state of one Resolve call.
type walker struct {
	host    string
	servers []string
	server  string          // the server that gave the last answer
	cnames  []string        // hops so far, fully qualified, lower case
	seen    map[string]bool // every name visited, for loop detection
}

func (w *walker) resolve(ctx context.Context) (Resolution, error) {
	start := dns.Fqdn(strings.ToLower(w.host))
	w.seen[start] = true
	final, v4, err := w.follow(ctx, start, dns.TypeA)
	if err != nil {
		return Resolution{CNAMEs: trimDots(w.cnames)}, err
	}
	// The AAAA query starts at the canonical name: the CNAMEs are known.
	_, v6, err6 := w.follow(ctx, final, dns.TypeAAAA)
	if err6 != nil && len(v4) == 0 {
		return Resolution{CNAMEs: trimDots(w.cnames)}, err6
	}
	res := Resolution{CNAMEs: trimDots(w.cnames), Addresses: sortAddresses(append(v4, v6...))}
	if len(res.Addresses) == 0 {
		return res, w.fail(final, ErrNoAddresses, "")
	}
	return res, nil
}

// follow queries name for qtype and follows CNAMEs, inside one answer and
// across queries, until it reaches records of qtype or a name with none.
// It returns the last name reached and its addresses.
func (w *walker) follow(ctx context.Context, name string, qtype uint16) (string, []string, error) {
	cur := name
	for {
		resp, err := w.exchange(ctx, cur, qtype)
		if err != nil {
			return cur, nil, err
		}
		next, addrs, moved, err := w.readAnswer(cur, qtype, resp)
		if err != nil {
			return next, nil, err
		}
		cur = next
		switch {
		case resp.Rcode == dns.RcodeNameError:
			return cur, nil, w.fail(cur, ErrNoSuchHost, "")
		case resp.Rcode == dns.RcodeServerFailure:
			return cur, nil, w.fail(cur, ErrServerFailure, "")
		case resp.Rcode != dns.RcodeSuccess:
			return cur, nil, w.fail(cur, ErrDNSRefused, "rcode "+dns.RcodeToString[resp.Rcode])
		case len(addrs) > 0 || !moved:
			return cur, addrs, nil
		}
		// The answer ended in a CNAME whose target it did not resolve (an
		// authoritative server out of its zone): ask again for the target.
	}
}

// readAnswer follows the CNAMEs in one answer from cur and collects the
// records of qtype at the end. moved reports whether any CNAME was followed.
func (w *walker) readAnswer(cur string, qtype uint16, resp *dns.Msg) (next string, addrs []string, moved bool, err error) {
	targets := map[string]string{}
	byOwner := map[string][]string{}
	for _, rr := range resp.Answer {
		owner := strings.ToLower(rr.Header().Name)
		switch rec := rr.(type) {
		case *dns.CNAME:
			targets[owner] = strings.ToLower(dns.Fqdn(rec.Target))
		case *dns.A:
			if qtype == dns.TypeA {
				byOwner[owner] = append(byOwner[owner], rec.A.String())
			}
		case *dns.AAAA:
			if qtype == dns.TypeAAAA {
				byOwner[owner] = append(byOwner[owner], rec.AAAA.String())
			}
		}
	}
	for len(byOwner[cur]) == 0 {
		target, ok := targets[cur]
		if !ok {
			break
		}
		if err := w.hop(target); err != nil {
			return cur, nil, moved, err
		}
		cur, moved = target, true
	}
	return cur, byOwner[cur], moved, nil
}

// hop records one CNAME step, refusing loops and over-long chains.
func (w *walker) hop(to string) error {
	if w.seen[to] {
		return w.fail(to, ErrCNAMELoop, w.path(to))
	}
	w.seen[to] = true
	w.cnames = append(w.cnames, to)
	if len(w.cnames) > MaxCNAMEHops {
		return w.fail(to, ErrCNAMEChainTooLong, "more than "+strconv.Itoa(MaxCNAMEHops)+" hops")
	}
	return nil
}

// path renders the walk so far plus the repeated name, for a loop error.
func (w *walker) path(repeat string) string {
	parts := append([]string{w.host}, trimDots(w.cnames)...)
	return strings.Join(append(parts, strings.TrimSuffix(repeat, ".")), " → ")
}

// exchange asks each server in turn until one answers, over UDP and then
// over TCP if the UDP answer was truncated.
func (w *walker) exchange(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.SetEdns0(1232, false)
	var lastErr error
	for i, server := range w.servers {
		resp, err := exchangeOne(ctx, m, server, len(w.servers)-i)
		if err == nil {
			w.server = server
			return resp, nil
		}
		lastErr = err
		w.server = server
		if ctx.Err() != nil {
			break
		}
	}
	kind := ErrDNSRefused
	var ne net.Error
	if errors.As(lastErr, &ne) && ne.Timeout() || errors.Is(lastErr, context.DeadlineExceeded) {
		kind = ErrDNSTimeout
	}
	return nil, w.fail(name, kind, lastErr.Error())
}

// exchangeOne sends m to one server, retrying over TCP when truncated. It
// gets an equal share of the time left with the servers still to try, so a
// dead first nameserver in resolv.conf does not use up the whole budget.
func exchangeOne(ctx context.Context, m *dns.Msg, server string, left int) (*dns.Msg, error) {
	if dl, ok := ctx.Deadline(); ok && left > 1 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(dl)/time.Duration(left)))
		defer cancel()
	}
	// miekg/dns reads with its own 2-second default unless told otherwise;
	// the caller's deadline is the budget the user gave (--timeout).
	var budget time.Duration
	if dl, ok := ctx.Deadline(); ok {
		budget = time.Until(dl)
	}
	udp := &dns.Client{Net: "udp", Timeout: budget}
	resp, _, err := udp.ExchangeContext(ctx, m, server)
	if err != nil {
		return nil, err
	}
	if !resp.Truncated {
		return resp, nil
	}
	tcp := &dns.Client{Net: "tcp", Timeout: budget}
	resp, _, err = tcp.ExchangeContext(ctx, m, server)
	if err != nil {
		return nil, fmt.Errorf("retry over TCP after a truncated UDP answer: %w", err)
	}
	return resp, nil
}

// fail builds a DNSError for name.
func (w *walker) fail(name string, kind error, detail string) *DNSError {
	return &DNSError{Host: w.host, Name: strings.TrimSuffix(name, "."), Server: w.server, Kind: kind, Detail: detail}
}

// trimDots returns names without their trailing root dot.
func trimDots(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimSuffix(n, ".")
	}
	return out
}

// sortAddresses deduplicates and orders addresses: IPv4 before IPv6,
// numerically within each family, so repeated runs (and diffs) are stable
// even when the server rotates its answers.
func sortAddresses(in []string) []string {
	seen := map[netip.Addr]bool{}
	var addrs []netip.Addr
	for _, s := range in {
		a, err := netip.ParseAddr(s)
		if err != nil || seen[a] {
			continue
		}
		seen[a] = true
		addrs = append(addrs, a)
	}
	sort.Slice(addrs, func(i, j int) bool {
		if addrs[i].Is4() != addrs[j].Is4() {
			return addrs[i].Is4()
		}
		return addrs[i].Less(addrs[j])
	})
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}
