package chain_test

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// wipySpec is MicroPython's ussl on the CC3200: TLS 1.0 only (its default
// method), the NWP's TLSv1 suites, no SNI (devices.md §3).
var wipySpec = chain.HelloSpec{
	Versions: []string{"tls1.0"},
	CipherSuites: []string{
		"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_RC4_128_MD5", "TLS_RSA_WITH_AES_256_CBC_SHA",
		"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
	},
}

// cc3200Spec is the raw CC3200 SDK: SSLv3–TLS 1.2 and the ten suites of
// SL_SEC_MASK_SECURE_DEFAULT (host driver 1.0.0.10), no SNI (devices.md §3).
var cc3200Spec = chain.HelloSpec{
	Versions: []string{"ssl3.0", "tls1.0", "tls1.1", "tls1.2"},
	CipherSuites: []string{
		"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_RC4_128_MD5", "TLS_RSA_WITH_AES_256_CBC_SHA",
		"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
		"TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256",
		"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
	},
}

// sniDevice is a TLS 1.2 device that sends SNI and lets its library choose suites.
var sniDevice = chain.HelloSpec{Versions: []string{"tls1.2"}, SNI: true}

// suiteNames returns the IANA names of crypto/tls suite IDs.
func suiteNames(ids []uint16) []string {
	var names []string
	for _, id := range ids {
		names = append(names, chain.CipherSuiteName(id))
	}
	return names
}

func TestDialHello(t *testing.T) {
	rsa, ec := rsaChain("hello.test"), ecdsaChain("hello-ec.test")
	cbc := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}
	gcm := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
	ecdsaSuites := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}
	type server struct {
		chain          testpki.Chain
		minV, maxV     uint16
		suites         []uint16
		serverSuiteSet []uint16 // the suites the server can pick (its config, or Go's defaults)
	}
	goDefaults := func() []uint16 {
		var ids []uint16
		for _, s := range tls.CipherSuites() {
			ids = append(ids, s.ID)
		}
		return ids
	}()
	servers := map[string]server{
		"tls10-only": {rsa, tls.VersionTLS10, tls.VersionTLS10, cbc, cbc},
		"tls12-only": {rsa, tls.VersionTLS12, tls.VersionTLS12, nil, goDefaults},
		"tls13-only": {rsa, tls.VersionTLS13, tls.VersionTLS13, nil, nil},
		"gcm-only":   {rsa, tls.VersionTLS10, tls.VersionTLS12, gcm, gcm},
		"cbc-only":   {rsa, tls.VersionTLS10, tls.VersionTLS12, cbc, cbc},
		"ecdsa-only": {ec, tls.VersionTLS10, tls.VersionTLS12, ecdsaSuites, ecdsaSuites},
	}
	tests := []struct {
		device, server string
		spec           chain.HelloSpec
		version        string // "" = the server refuses
		alert          string // when refused
	}{
		{"wipy", "tls10-only", wipySpec, "TLS1.0", ""},
		{"wipy", "tls12-only", wipySpec, "", "protocol_version"},
		{"wipy", "tls13-only", wipySpec, "", "protocol_version"},
		{"wipy", "gcm-only", wipySpec, "", "handshake_failure"},
		{"wipy", "cbc-only", wipySpec, "TLS1.0", ""},
		{"wipy", "ecdsa-only", wipySpec, "", "handshake_failure"},
		{"cc3200", "tls10-only", cc3200Spec, "TLS1.0", ""},
		{"cc3200", "tls12-only", cc3200Spec, "TLS1.2", ""},
		{"cc3200", "tls13-only", cc3200Spec, "", "protocol_version"},
		{"cc3200", "gcm-only", cc3200Spec, "", "handshake_failure"},
		{"cc3200", "cbc-only", cc3200Spec, "TLS1.2", ""},
		{"cc3200", "ecdsa-only", cc3200Spec, "TLS1.2", ""},
		{"sni-device", "tls13-only", sniDevice, "", "protocol_version"},
		{"sni-device", "gcm-only", sniDevice, "TLS1.2", ""},
	}
	d := &chain.Dialer{Timeout: 5 * time.Second}
	for _, tt := range tests {
		t.Run(tt.device+"/"+tt.server, func(t *testing.T) {
			srv := servers[tt.server]
			host, port := serveTLS(t, srv.chain, srv.minV, srv.maxV, srv.suites...)
			res := d.DialHello(context.Background(), host, port, "hello.test", tt.spec)
			if res == nil {
				t.Fatal("DialHello returned nil")
			}
			hs := res.Handshake
			t.Logf("%+v", hs)
			if tt.version == "" {
				if hs.OK() || hs.Alert != tt.alert || !strings.Contains(hs.Error, tt.alert) || len(res.Chain) != 0 {
					t.Errorf("handshake %+v, chain %d: want refusal with alert %s and no chain", hs, len(res.Chain), tt.alert)
				}
				if want := chain.AlertFailure(tt.alert, false); hs.Failure != want {
					t.Errorf("failure kind %q, want %q: the dial, not the checks, classifies the refusal", hs.Failure, want)
				}
				return
			}
			if !hs.OK() || hs.Version != tt.version {
				t.Fatalf("handshake %+v: want %s agreed", hs, tt.version)
			}
			// The suite must be one the device offered and the server allows.
			if !slices.Contains(suiteNames(srv.serverSuiteSet), hs.CipherSuite) ||
				(len(tt.spec.CipherSuites) > 0 && !slices.Contains(tt.spec.CipherSuites, hs.CipherSuite)) {
				t.Errorf("suite %s: not in both the device's offer and the server's set", hs.CipherSuite)
			}
			assertServed(t, res.Chain, srv.chain)
			if !reflectEqualSpec(res.Spec, tt.spec) {
				t.Errorf("result Spec = %+v, want the spec dialled", res.Spec)
			}
		})
	}
}

func reflectEqualSpec(a, b chain.HelloSpec) bool { return a.Key() == b.Key() }

func TestDialHelloSNI(t *testing.T) {
	_, _, addr := sniServer(t)
	host, port := splitAddr(t, addr)
	d := &chain.Dialer{Timeout: 5 * time.Second}
	for _, tt := range []struct {
		spec chain.HelloSpec
		want string
	}{{cc3200Spec, "default.test"}, {wipySpec, "default.test"}, {sniDevice, "named.test"}} {
		res := d.DialHello(context.Background(), host, port, "named.test", tt.spec)
		if !res.Handshake.OK() || len(res.Chain) == 0 || res.Chain[0].CommonName != tt.want {
			t.Errorf("spec %s: handshake %+v, chain %v; want leaf %s", tt.spec.Key(), res.Handshake, res.Chain, tt.want)
		}
	}
}

// serverHello is a TLS 1.2 ServerHello choosing suite, with no extensions.
func serverHello(suite uint16) []byte {
	body := []byte{3, 3}
	body = append(body, make([]byte, 32)...) // random
	body = append(body, 0)                   // empty session ID
	body = binary.BigEndian.AppendUint16(body, suite)
	body = append(body, 0) // no compression
	msg := append([]byte{2, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{22, 3, 3, byte(len(msg) >> 8), byte(len(msg))}, msg...)
}

func TestDialHelloServerChoosesSuiteCertlintCannotFinish(t *testing.T) {
	// TLS_RSA_WITH_RC4_128_MD5 is in the CC3200 offer but zcrypto does not
	// implement it: the server's choice must still be recorded.
	addr := rawServer(t, func(c net.Conn) {
		readRecord(c)
		_, _ = c.Write(serverHello(0x0004))
		_, _ = c.Read(make([]byte, 64))
	})
	host, port := splitAddr(t, addr)
	res := (&chain.Dialer{Timeout: 2 * time.Second}).DialHello(context.Background(), host, port, "", cc3200Spec)
	hs := res.Handshake
	if hs.Version != "TLS1.2" || hs.CipherSuite != "TLS_RSA_WITH_RC4_128_MD5" {
		t.Errorf("handshake %+v: want the server's choice TLS1.2 / TLS_RSA_WITH_RC4_128_MD5 recorded", hs)
	}
	if !strings.Contains(hs.Error, "server accepted the hello") || hs.Alert != "" {
		t.Errorf("Error %q Alert %q: want an explanation that certlint, not the server, stopped", hs.Error, hs.Alert)
	}
}

func TestDialHelloFailures(t *testing.T) {
	ln := testpki.Listen(t)
	refused := ln.Addr().String()
	ln.Close()
	d := &chain.Dialer{Timeout: 300 * time.Millisecond}
	for _, tt := range []struct {
		name, addr string
		spec       chain.HelloSpec
		want       string
	}{
		{"refused", refused, wipySpec, "connection refused"},
		{"silent", silentServer(t), cc3200Spec, "timed out"},
		{"not TLS", replyServer(t, []byte("HTTP/1.0 200 OK\r\n\r\n")), cc3200Spec, "not a TLS server"},
		{"invalid spec", refused, chain.HelloSpec{Versions: []string{"tls9"}}, `unknown version "tls9"`},
		{"ssl3 only", refused, chain.HelloSpec{Versions: []string{"ssl3.0"}}, "SSL 3.0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			host, port := splitAddr(t, tt.addr)
			res := d.DialHello(context.Background(), host, port, "", tt.spec)
			if res == nil {
				t.Fatal("DialHello returned nil")
			}
			if res.Handshake.OK() || !strings.Contains(res.Handshake.Error, tt.want) {
				t.Errorf("handshake %+v: want an Error saying %q", res.Handshake, tt.want)
			}
		})
	}
}

func TestHelloSpecValidate(t *testing.T) {
	for _, s := range []chain.HelloSpec{wipySpec, cc3200Spec, sniDevice, {Versions: []string{"tls1.3"}, Curves: []string{"x25519", "secp256r1"}}} {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%s): %v", s.Key(), err)
		}
	}
	bad := chain.HelloSpec{
		Versions:     []string{"tls1.2", "TLS1.2", "tls2.0"},
		CipherSuites: []string{"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
		Curves:       []string{"secp256r1", "P-256"},
	}
	err := bad.Validate()
	if !errors.Is(err, chain.ErrBadHelloSpec) {
		t.Fatalf("Validate(bad) = %v, want ErrBadHelloSpec", err)
	}
	for _, m := range []string{`"TLS1.2"`, `"tls2.0"`, `"AES128-SHA"`, `"P-256"`, "ssl3.0", "x25519"} {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("Validate(bad) = %q, want it to mention %s", err, m)
		}
	}
	for _, m := range []string{`"tls1.2"`, `"secp256r1"`, `"TLS_RSA_WITH_AES_128_CBC_SHA"`} {
		if strings.Contains(err.Error(), m) {
			t.Errorf("Validate(bad) = %q blames the valid name %s", err, m)
		}
	}
	if err := (chain.HelloSpec{}).Validate(); err == nil || !strings.Contains(err.Error(), "no TLS version") {
		t.Errorf("Validate(empty) = %v, want a no-version error", err)
	}
}

func TestHelloSpecKey(t *testing.T) {
	base := chain.HelloSpec{Versions: []string{"tls1.0", "tls1.2"}, CipherSuites: []string{"A", "B"}, Curves: []string{"x25519"}}
	same := []chain.HelloSpec{
		{Versions: []string{"tls1.2", "tls1.0"}, CipherSuites: []string{"A", "B"}, Curves: []string{"x25519"}},
		{Versions: []string{"tls1.0", "tls1.2", "tls1.0"}, CipherSuites: []string{"A", "B", "A"}, Curves: []string{"x25519"}},
	}
	different := []chain.HelloSpec{
		{Versions: []string{"tls1.0", "tls1.2"}, CipherSuites: []string{"B", "A"}, Curves: []string{"x25519"}},
		{Versions: []string{"tls1.0", "tls1.2"}, CipherSuites: []string{"A", "B"}, Curves: []string{"x25519"}, SNI: true},
		{Versions: []string{"tls1.0", "tls1.2"}, CipherSuites: []string{"A", "B"}},
		{Versions: []string{"tls1.0", "tls1.1", "tls1.2"}, CipherSuites: []string{"A", "B"}, Curves: []string{"x25519"}},
		{Versions: []string{"tls1.0", "tls1.2"}, CipherSuites: []string{"A"}, Curves: []string{"x25519"}},
	}
	for _, s := range same {
		if s.Key() != base.Key() {
			t.Errorf("Key(%+v) = %q, want %q", s, s.Key(), base.Key())
		}
	}
	seen := map[string]bool{base.Key(): true}
	for _, s := range different {
		if seen[s.Key()] {
			t.Errorf("Key(%+v) = %q collides", s, s.Key())
		}
		seen[s.Key()] = true
	}
	if k := (chain.HelloSpec{Versions: []string{"tls1.2"}}).Key(); !strings.Contains(k, "suites=default") {
		t.Errorf("Key with library-default suites = %q, want suites=default", k)
	}
}
