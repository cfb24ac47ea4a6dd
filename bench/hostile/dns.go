package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/miekg/dns"
)

// dnsCases are the hostile DNS answers measured, each as the name certlint
// is asked to check against a resolver that serves zone.
var dnsCases = []struct{ name, host, what string }{
	{"nxdomain", "nosuch.test", "NXDOMAIN"},
	{"servfail", "broken.test", "SERVFAIL"},
	{"noaddr", "empty.test", "the name exists with no A/AAAA"},
	{"cname-loop", "loop-a.test", "a CNAME loop"},
	{"cname-long", "c0.test", "a 20-hop CNAME chain"},
	{"silent", "any.test", "a resolver that never answers"},
}

// zone maps a name to a CNAME target, or to "SERVFAIL" / "NOADDR".
func zone() map[string]string {
	z := map[string]string{"broken.test.": "SERVFAIL", "empty.test.": "NOADDR",
		"loop-a.test.": "loop-b.test.", "loop-b.test.": "loop-a.test."}
	for i := 0; i < 20; i++ {
		z[fmt.Sprintf("c%d.test.", i)] = fmt.Sprintf("c%d.test.", i+1)
	}
	return z
}

// startDNS serves zone on 127.0.0.1 UDP; silent servers read and never answer.
func startDNS(silent bool) (addr string, stop func(), err error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	z := zone()
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		if silent {
			return
		}
		m := new(dns.Msg)
		m.SetReply(q)
		name := q.Question[0].Name
		switch target, ok := z[name]; {
		case !ok:
			m.Rcode = dns.RcodeNameError
		case target == "SERVFAIL":
			m.Rcode = dns.RcodeServerFailure
		case target == "NOADDR":
		default:
			m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: target})
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	return pc.LocalAddr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.ShutdownContext(ctx)
	}, nil
}
