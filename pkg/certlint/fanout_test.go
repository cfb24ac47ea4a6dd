package certlint

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// A name with more addresses than the cap is checked at its first
// maxAddresses addresses, and every report says the rest were not.
func TestAddressCap(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "Fan-out Root"})
	addr := testpki.ServeChain(t, testpki.Chain{root.Leaf(testpki.Spec{CN: "many.test", DNSNames: []string{"many.test"}})})
	_, port, _ := net.SplitHostPort(addr)
	const resolved = maxAddresses + 4
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		if q.Question[0].Qtype == dns.TypeA {
			for i := 1; i <= resolved; i++ { // 127.0.0.1 serves; the others refuse at once
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(127, 0, 0, byte(i))})
			}
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })

	rep, err := Check(context.Background(), Request{Targets: []string{"many.test:" + port}, Resolver: pc.LocalAddr().String(), Devices: []string{"spwf04"}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Reports) != maxAddresses {
		t.Fatalf("%d reports, want %d", len(rep.Reports), maxAddresses)
	}
	note := fmt.Sprintf("many.test resolved to %d addresses; only the first %d were checked", resolved, maxAddresses)
	for _, tr := range rep.Reports {
		if !strings.Contains(strings.Join(tr.Notes, "\n"), note) {
			t.Errorf("%s: notes %q, want %q", tr.Address, tr.Notes, note)
		}
	}
}

// A dial that waits for a connection slot past the target's deadline never
// reaches the server: the report says the run's slots were busy, not that
// the server timed out.
func TestDialWaitingForASlotIsNotTheServersTimeout(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "Slot Root"})
	addr := testpki.ServeChain(t, testpki.Chain{root.Leaf(testpki.Spec{CN: "slot.test", DNSNames: []string{"slot.test"}})})
	profiles, err := selectProfiles(Request{Devices: []string{"spwf04"}})
	if err != nil {
		t.Fatal(err)
	}
	target, err := chain.ParseTarget(addr)
	if err != nil {
		t.Fatal(err)
	}
	busy := &runner{req: Request{Timeout: time.Second, At: time.Now()}, profiles: profiles, dials: make(chan struct{})} // no slot ever frees
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	tr := busy.address(ctx, target, nil, target.Host)
	if !strings.Contains(tr.Error, "every connection slot of this run stayed busy") || strings.Contains(tr.Error, "timed out connecting") {
		t.Errorf("report error %q, want the busy slots named, not a timeout of the server", tr.Error)
	}

	free := &runner{req: Request{Timeout: 5 * time.Second, At: time.Now()}, profiles: profiles, dials: make(chan struct{}, 1)}
	if tr := free.address(context.Background(), target, nil, target.Host); tr.Error != "" {
		t.Errorf("with a free slot: report error %q, want the check done", tr.Error)
	}
}
