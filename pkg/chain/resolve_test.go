package chain_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/certlint/certlint/pkg/chain"
)

// testZone is an in-process DNS server's data. Like a recursive resolver it
// chases CNAMEs inside one answer, but only up to chase hops, so the client
// must also re-query targets itself.
type testZone struct {
	records  map[string][]dns.RR
	servfail map[string]bool
	chase    int
	bigUDP   map[string]bool // answer these over UDP truncated, in full over TCP
	queries  atomic.Int64
}

func newTestZone(t *testing.T, lines ...string) *testZone {
	t.Helper()
	z := &testZone{records: map[string][]dns.RR{}, servfail: map[string]bool{}, bigUDP: map[string]bool{}, chase: 4}
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("zone line %q: %v", l, err)
		}
		owner := strings.ToLower(rr.Header().Name)
		z.records[owner] = append(z.records[owner], rr)
	}
	return z
}

func (z *testZone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	z.queries.Add(1)
	resp := new(dns.Msg)
	resp.SetReply(req)
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	switch {
	case z.servfail[name]:
		resp.Rcode = dns.RcodeServerFailure
	case z.bigUDP[name] && w.RemoteAddr().Network() == "udp":
		resp.Truncated = true
	default:
		resp.Answer, resp.Rcode = z.answer(name, q.Qtype)
	}
	_ = w.WriteMsg(resp)
}

func (z *testZone) answer(name string, qtype uint16) ([]dns.RR, int) {
	var ans []dns.RR
	cur := name
	for hops := 0; ; hops++ {
		rrs, ok := z.records[cur]
		if !ok {
			return ans, dns.RcodeNameError
		}
		var next string
		for _, rr := range rrs {
			if c, ok := rr.(*dns.CNAME); ok {
				ans = append(ans, rr)
				next = strings.ToLower(c.Target)
			} else if rr.Header().Rrtype == qtype {
				ans = append(ans, rr)
			}
		}
		if next == "" || hops+1 >= z.chase {
			return ans, dns.RcodeSuccess
		}
		cur = next
	}
}

// serveDNS starts z on 127.0.0.1 over UDP (and TCP on the same port when
// tcp is set) and returns the address.
func serveDNS(t *testing.T, z *testZone, tcp bool) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen udp: %v", err)
	}
	start(t, &dns.Server{PacketConn: pc, Handler: z})
	addr := pc.LocalAddr().String()
	if tcp {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("TCP port %s busy: %v", addr, err)
		}
		start(t, &dns.Server{Listener: ln, Handler: z})
	}
	return addr
}

func start(t *testing.T, srv *dns.Server) {
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
}

func standardZone(t *testing.T) *testZone {
	lines := []string{
		"prax47.table.core.windows.net. 60 IN CNAME table.db6prdstr07a.store.core.windows.net.",
		"table.db6prdstr07a.store.core.windows.net. 60 IN A 52.245.40.70",
		"loop-a.test. 60 IN CNAME loop-b.test.",
		"loop-b.test. 60 IN CNAME loop-a.test.",
		"self.test. 60 IN CNAME self.test.",
		"nodata.test. 60 IN TXT \"no addresses here\"",
		"to-nodata.test. 60 IN CNAME nodata.test.",
		"to-nowhere.test. 60 IN CNAME gone.test.",
		"dual.test. 60 IN A 192.0.2.2",
		"dual.test. 60 IN A 192.0.2.1",
		"dual.test. 60 IN A 192.0.2.2",
		"dual.test. 60 IN AAAA 2001:db8::1",
		"v6only.test. 60 IN AAAA 2001:db8::9",
		"servfail.test. 60 IN A 192.0.2.99",
	}
	for i := 0; i < 12; i++ { // chain12.test needs 12 hops: allowed
		lines = append(lines, fmt.Sprintf("c%d.chain12.test. 60 IN CNAME c%d.chain12.test.", i, i+1))
	}
	lines = append(lines, "c12.chain12.test. 60 IN A 192.0.2.12")
	for i := 0; i < 20; i++ { // chain20.test needs 20 hops: refused
		lines = append(lines, fmt.Sprintf("c%d.chain20.test. 60 IN CNAME c%d.chain20.test.", i, i+1))
	}
	lines = append(lines, "c20.chain20.test. 60 IN A 192.0.2.20")
	for i := 0; i < 80; i++ {
		lines = append(lines, fmt.Sprintf("big.test. 60 IN A 198.51.100.%d", i+1))
	}
	z := newTestZone(t, lines...)
	z.servfail["servfail.test."] = true
	z.bigUDP["big.test."] = true
	return z
}

func TestResolve(t *testing.T) {
	addr := serveDNS(t, standardZone(t), true)
	r := &chain.Resolver{Server: addr, Timeout: 5 * time.Second}
	chain12 := make([]string, 12)
	for i := range chain12 {
		chain12[i] = fmt.Sprintf("c%d.chain12.test", i+1)
	}
	big := make([]string, 80)
	for i := range big {
		big[i] = fmt.Sprintf("198.51.100.%d", i+1)
	}
	tests := []struct {
		host string
		want chain.Resolution
	}{
		{"prax47.table.core.windows.net", chain.Resolution{
			CNAMEs:    []string{"table.db6prdstr07a.store.core.windows.net"},
			Addresses: []string{"52.245.40.70"}}},
		{"PRAX47.Table.Core.Windows.Net.", chain.Resolution{
			CNAMEs:    []string{"table.db6prdstr07a.store.core.windows.net"},
			Addresses: []string{"52.245.40.70"}}},
		{"dual.test", chain.Resolution{Addresses: []string{"192.0.2.1", "192.0.2.2", "2001:db8::1"}}},
		{"v6only.test", chain.Resolution{Addresses: []string{"2001:db8::9"}}},
		{"c0.chain12.test", chain.Resolution{CNAMEs: chain12, Addresses: []string{"192.0.2.12"}}},
		{"big.test", chain.Resolution{Addresses: big}},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got, err := r.Resolve(context.Background(), tt.host)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.host, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve(%q) = %+v, want %+v", tt.host, got, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	addr := serveDNS(t, standardZone(t), false)
	r := &chain.Resolver{Server: addr, Timeout: 5 * time.Second}
	tests := []struct {
		host    string
		kind    error
		mention []string
	}{
		{"missing.test", chain.ErrNoSuchHost, []string{"missing.test", "no such host", addr}},
		{"to-nowhere.test", chain.ErrNoSuchHost, []string{"for gone.test"}}, // CNAMEs checked below
		{"servfail.test", chain.ErrServerFailure, []string{"SERVFAIL"}},
		{"nodata.test", chain.ErrNoAddresses, []string{"no A or AAAA"}},
		{"to-nodata.test", chain.ErrNoAddresses, []string{"for nodata.test"}},
		{"loop-a.test", chain.ErrCNAMELoop, []string{"loop-a.test → loop-b.test → loop-a.test"}},
		{"self.test", chain.ErrCNAMELoop, []string{"self.test → self.test"}},
		{"c0.chain20.test", chain.ErrCNAMEChainTooLong, []string{"more than 16 hops"}},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			res, err := r.Resolve(context.Background(), tt.host)
			if err == nil {
				t.Fatalf("Resolve(%q) = %+v, want an error", tt.host, res)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("Resolve(%q) error %q is not %q", tt.host, err, tt.kind)
			}
			var de *chain.DNSError
			if !errors.As(err, &de) || de.Host != tt.host {
				t.Errorf("Resolve(%q) error %#v is not a *DNSError for the host", tt.host, err)
			}
			for _, m := range tt.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("Resolve(%q) error %q does not mention %q", tt.host, err, m)
				}
			}
		})
	}
}

func TestResolveIPLiteralSkipsDNS(t *testing.T) {
	z := standardZone(t)
	r := &chain.Resolver{Server: serveDNS(t, z, false), Timeout: time.Second}
	for in, want := range map[string]string{"192.0.2.7": "192.0.2.7", "2001:DB8::7": "2001:db8::7"} {
		got, err := r.Resolve(context.Background(), in)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", in, err)
		}
		if !reflect.DeepEqual(got, chain.Resolution{Addresses: []string{want}}) {
			t.Errorf("Resolve(%q) = %+v", in, got)
		}
	}
	if n := z.queries.Load(); n != 0 {
		t.Errorf("IP literals sent %d DNS queries, want 0", n)
	}
}

// silentResolver returns the address of a UDP socket that never answers.
func silentResolver(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}

func TestResolveTimeout(t *testing.T) {
	r := &chain.Resolver{Server: silentResolver(t), Timeout: 200 * time.Millisecond}
	_, err := r.Resolve(context.Background(), "example.test")
	if !errors.Is(err, chain.ErrDNSTimeout) {
		t.Fatalf("Resolve against a silent server: %v, want ErrDNSTimeout", err)
	}
}

func TestResolveRespectsContextDeadline(t *testing.T) {
	r := &chain.Resolver{Server: silentResolver(t)} // default timeout is seconds; ctx is shorter
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := r.Resolve(ctx, "example.test")
	if !errors.Is(err, chain.ErrDNSTimeout) {
		t.Fatalf("Resolve with a short ctx: %v, want ErrDNSTimeout", err)
	}
}

func TestResolveServerWithoutPort(t *testing.T) {
	// A server given without a port gets :53. Whether 127.0.0.1:53 runs a
	// resolver or not, a .invalid name fails, and the error names the server
	// with its port.
	r := &chain.Resolver{Server: "127.0.0.1", Timeout: 200 * time.Millisecond}
	_, err := r.Resolve(context.Background(), "certlint-no-such-name.invalid")
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:53") {
		t.Errorf("error %q does not name 127.0.0.1:53", err)
	}
}

func TestDNSErrorMessages(t *testing.T) {
	addr := serveDNS(t, standardZone(t), false)
	r := &chain.Resolver{Server: addr, Timeout: 5 * time.Second}
	for _, h := range []string{"missing.test", "to-nowhere.test", "loop-a.test", "c0.chain20.test", "nodata.test"} {
		_, err := r.Resolve(context.Background(), h)
		t.Logf("%s: %v", h, err)
		if err == nil || !strings.HasPrefix(err.Error(), "resolve "+h+": ") {
			t.Errorf("Resolve(%q) error %v does not start with the host", h, err)
		}
	}
}

func TestResolveKeepsCNAMEsOnError(t *testing.T) {
	r := &chain.Resolver{Server: serveDNS(t, standardZone(t), false), Timeout: 5 * time.Second}
	res, err := r.Resolve(context.Background(), "to-nowhere.test")
	if !errors.Is(err, chain.ErrNoSuchHost) {
		t.Fatalf("Resolve: %v, want ErrNoSuchHost", err)
	}
	if !reflect.DeepEqual(res.CNAMEs, []string{"gone.test"}) || len(res.Addresses) != 0 {
		t.Errorf("Resolution on error = %+v, want CNAMEs [gone.test] and no addresses", res)
	}
}

func TestResolveSplitsTimeAcrossServers(t *testing.T) {
	// A dead first server must leave time for the second one.
	good := serveDNS(t, standardZone(t), false)
	r := &chain.Resolver{Server: silentResolver(t) + ", " + good, Timeout: 2 * time.Second}
	res, err := r.Resolve(context.Background(), "dual.test")
	if err != nil || len(res.Addresses) != 3 {
		t.Fatalf("Resolve with a dead first server: %+v, %v", res, err)
	}
}
