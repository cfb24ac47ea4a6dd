package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/certlint/certlint/internal/hostile"
	"github.com/certlint/certlint/internal/schematest"
	"github.com/certlint/certlint/internal/testpki"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"certlint": func() {
			var stdout bytes.Buffer
			code := run(os.Args[1:], os.Stdin, &stdout, os.Stderr)
			os.Stdout.Write(stdout.Bytes())
			if err := checkJSONOutput(os.Args[1:], stdout.Bytes(), func(p string) string { return p }); err != nil {
				fmt.Fprintf(os.Stderr, "TEST: %v\n", err)
				os.Exit(99)
			}
			os.Exit(code)
		},
	})
}

// TestScripts runs the CLI stories in testdata/*.txt: each reads like the
// README and pins exit codes, stderr lines and report contents.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   "testdata",
		Setup: writeFixtures,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"tlsserve": cmdTLSServe,
			"dnsserve": cmdDNSServe,
			"rawserve": cmdRawServe,
			"exitcode": cmdExitCode,
		},
	})
}

// fixtures are the chains the scripts use, generated at test time and named
// after what they must do.
func fixtures() map[string][]byte {
	root := testpki.Root(testpki.Spec{CN: "certlint Test Root"})
	inter := root.Intermediate(testpki.Spec{CN: "certlint Test CA"})
	inter4096 := root.Intermediate(testpki.Spec{CN: "certlint Test CA RSA-4096", Key: "rsa4096"})
	rootNoSKI := testpki.Root(testpki.Spec{CN: "certlint Root Without SKI", NoSKI: true})
	ecRoot := testpki.Root(testpki.Spec{CN: "certlint EC Root", Key: "ecdsa256"})
	ecInter := ecRoot.Intermediate(testpki.Spec{CN: "certlint EC CA", Key: "ecdsa256"})
	otherRoot := testpki.Root(testpki.Spec{CN: "certlint Other Root"})
	otherInter := otherRoot.Intermediate(testpki.Spec{CN: "certlint Other CA"})
	defaultLeaf := otherInter.Leaf(testpki.Spec{CN: "default.test", DNSNames: []string{"default.test"}})
	small := inter.Leaf(testpki.Spec{CN: "device.test", DNSNames: []string{"device.test", "prax47.test"}})
	big := inter.Leaf(testpki.Spec{CN: "*.table.core.test", DNSNames: testpki.ManyNames("prax47.test", 78)})
	via4096 := inter4096.Leaf(testpki.Spec{CN: "hub.test", DNSNames: []string{"hub.test"}})
	ecLeaf := ecInter.Leaf(testpki.Spec{CN: "ec.test", DNSNames: []string{"ec.test"}, Key: "ecdsa256"})
	longAgo, farAhead := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	oldRoot := testpki.Root(testpki.Spec{CN: "certlint Old Root", NotBefore: longAgo, NotAfter: farAhead})
	oldInter := oldRoot.Intermediate(testpki.Spec{CN: "certlint Old CA", NotBefore: longAgo, NotAfter: farAhead})
	expired := oldInter.Leaf(testpki.Spec{CN: "old.test", DNSNames: []string{"old.test"},
		NotBefore: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)})
	// Trust paths (issue 11): testpki keys a certificate by CN, so the same
	// CN twice is the same key: "certlint Renewed Root" issued twice (one
	// expired), and "certlint Test Root" cross-signed by an expired root.
	upper := root.Intermediate(testpki.Spec{CN: "certlint Upper CA"})
	lower := upper.Intermediate(testpki.Spec{CN: "certlint Lower CA"})
	deepLeaf := lower.Leaf(testpki.Spec{CN: "device.test", DNSNames: []string{"device.test"}})
	lastYear := time.Now().AddDate(-1, 0, 0)
	renewedOld := testpki.Root(testpki.Spec{CN: "certlint Renewed Root", NotBefore: longAgo, NotAfter: lastYear})
	renewedNew := testpki.Root(testpki.Spec{CN: "certlint Renewed Root", NotBefore: lastYear, NotAfter: farAhead})
	renewedInter := renewedNew.Intermediate(testpki.Spec{CN: "certlint Renewed CA"})
	renewedLeaf := renewedInter.Leaf(testpki.Spec{CN: "device.test", DNSNames: []string{"device.test"}})
	crossSigner := testpki.Root(testpki.Spec{CN: "certlint Old Cross Signer", NotBefore: longAgo, NotAfter: lastYear})
	expiredCross := crossSigner.Intermediate(testpki.Spec{CN: "certlint Test Root", NotBefore: longAgo, NotAfter: lastYear})
	return map[string][]byte{
		"extra-past-anchor.pem":       testpki.Chain{small, inter, root, otherInter}.PEM(),
		"out-of-order.pem":            testpki.Chain{deepLeaf, upper, lower}.PEM(),
		"renewed-chain.pem":           testpki.Chain{renewedLeaf, renewedInter}.PEM(),
		"renewed-root-expired.der":    renewedOld.DER,
		"renewed-root-current.der":    renewedNew.DER,
		"expired-cross-chain.pem":     testpki.Chain{small, inter, expiredCross}.PEM(),
		"cross-signer-root.der":       crossSigner.DER,
		"ok-chain.pem":                testpki.Chain{small, inter}.PEM(),
		"default-cert-chain.pem":      testpki.Chain{defaultLeaf, otherInter}.PEM(),
		"ok-chain.der":                testpki.Chain{small, inter}.DER(),
		"ok-root.pem":                 root.PEM(),
		"ok-root.der":                 root.DER,
		"too-big-leaf.pem":            testpki.Chain{big, inter}.PEM(),
		"rsa4096-intermediate.pem":    testpki.Chain{via4096, inter4096}.PEM(),
		"ecdsa-chain.pem":             testpki.Chain{ecLeaf, ecInter}.PEM(),
		"ecdsa-root.pem":              ecRoot.PEM(),
		"no-intermediate.pem":         testpki.Chain{small}.PEM(),
		"intermediate-as-ca.pem":      inter.PEM(),
		"no-ski-root.der":             rootNoSKI.DER,
		"expired-2019-01-01-leaf.pem": testpki.Chain{expired, oldInter}.PEM(),
		"old-root.der":                oldRoot.DER,
		"ecdsa-root.der":              ecRoot.DER,
		"chain-301.pem":               append(testpki.Chain{small, inter}, repeatCert(root, 299)...).PEM(),
		"not-a-certificate.pem":       []byte("this is not a certificate\n"),
		"empty.pem":                   nil,
	}
}

// repeatCert is n copies of c, to make a chain longer than any real one.
func repeatCert(c *testpki.Cert, n int) testpki.Chain {
	out := make(testpki.Chain, n)
	for i := range out {
		out[i] = c
	}
	return out
}

func writeFixtures(env *testscript.Env) error {
	for name, data := range fixtures() {
		if err := os.WriteFile(filepath.Join(env.WorkDir, name), data, 0o644); err != nil {
			return err
		}
	}
	if err := writeCrossChains(env); err != nil {
		return err
	}
	return writePinFixtures(env)
}

// writeCrossChains copies the real public cross-signed chains and their
// roots, as checked in, to cross/ in the script's directory.
func writeCrossChains(env *testscript.Env) error {
	files, err := filepath.Glob(filepath.Join("..", "..", "pkg", "chain", "testdata", "cross", "*.pem"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no real chains in pkg/chain/testdata/cross: %v", err)
	}
	if err := os.Mkdir(filepath.Join(env.WorkDir, "cross"), 0o755); err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(env.WorkDir, "cross", filepath.Base(f)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// cmdTLSServe starts a TLS server on 127.0.0.1 for the rest of the script:
// tlsserve VAR CHAIN.pem [tls10|tls12|tls13] [default=OTHER.pem] [rsakex]
// sets $VAR to its address. With default=, a client that sends no SNI gets
// OTHER.pem (the server's default certificate) instead of CHAIN.pem. rsakex
// also takes RSA key exchange (AES-CBC/GCM), as servers that still serve
// axTLS and WINC devices do; Go leaves it out by default.
func cmdTLSServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: tlsserve VAR CHAIN.pem [tls10|tls12|tls13] [default=OTHER.pem] [rsakex] [requirecert|askcert] [clientcas=CAS.pem]")
	}
	certs, err := loadTestChain(ts.MkAbs(args[1]))
	ts.Check(err)
	cfg := &tls.Config{Certificates: []tls.Certificate{certs}, MinVersion: tls.VersionTLS10}
	for _, opt := range args[2:] {
		if file, ok := strings.CutPrefix(opt, "default="); ok {
			fallback, err := loadTestChain(ts.MkAbs(file))
			ts.Check(err)
			cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
				if hello.ServerName == "" {
					return &fallback, nil
				}
				return &certs, nil
			}
			continue
		}
		if file, ok := strings.CutPrefix(opt, "clientcas="); ok {
			data, err := os.ReadFile(ts.MkAbs(file))
			ts.Check(err)
			cfg.ClientCAs = x509.NewCertPool() // the CAs the server names in its CertificateRequest
			if !cfg.ClientCAs.AppendCertsFromPEM(data) {
				ts.Fatalf("tlsserve: no certificate in %s", file)
			}
			continue
		}
		if auth, ok := map[string]tls.ClientAuthType{"requirecert": tls.RequireAnyClientCert, "askcert": tls.RequestClientCert}[opt]; ok {
			cfg.ClientAuth = auth // mutual TLS: the server requires, or only asks for, a client certificate
			continue
		}
		if opt == "rsakex" {
			cfg.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
				tls.TLS_RSA_WITH_AES_128_CBC_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA}
			continue
		}
		v := map[string]uint16{"tls10": tls.VersionTLS10, "tls12": tls.VersionTLS12, "tls13": tls.VersionTLS13}[opt]
		if v == 0 {
			ts.Fatalf("tlsserve: unknown option %q", opt)
		}
		cfg.MinVersion, cfg.MaxVersion = v, v
	}
	if cfg.GetCertificate != nil {
		cfg.Certificates = nil
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	ts.Check(err)
	ts.Defer(func() { ln.Close() })
	go testpki.AcceptLoop(ln, 10*time.Second, func(c net.Conn) { _ = c.(*tls.Conn).Handshake() })
	ts.Setenv(args[0], ln.Addr().String())
	ts.Setenv(args[0]+"_PORT", fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
}

// cmdRawServe starts a TCP server that misbehaves: rawserve VAR refuse|stall|http.
func cmdRawServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: rawserve VAR refuse|stall|http")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	addr := ln.Addr().String()
	switch args[1] {
	case "refuse":
		ln.Close() // nothing listens on the port any more
	case "stall":
		ts.Defer(func() { ln.Close() })
		go testpki.AcceptLoop(ln, 10*time.Second, func(c net.Conn) { time.Sleep(5 * time.Second) })
	case "http":
		ts.Defer(func() { ln.Close() })
		go testpki.AcceptLoop(ln, 10*time.Second, func(c net.Conn) { fmt.Fprint(c, "HTTP/1.1 400 Bad Request\r\n\r\n") })
	default: // the hostile servers of issue 7: silent, random, reset, drip, alert, hugeheader, bigchain, ...
		ln.Close()
		s, err := hostile.Start(args[1])
		ts.Check(err)
		ts.Defer(func() { s.Close() })
		addr = s.Addr
	}
	ts.Setenv(args[0], addr)
}

// cmdDNSServe starts a DNS server on 127.0.0.1 (UDP) for the script:
// dnsserve VAR name=CNAME-target|name=IP|name=SERVFAIL|name=NOADDR ... sets
// $VAR to its address; dnsserve VAR silent starts one that never answers.
func cmdDNSServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: dnsserve VAR name=target ...")
	}
	records := map[string]string{}
	silent := args[1] == "silent"
	for _, a := range args[1:] {
		if silent {
			break
		}
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("dnsserve: %q is not name=target", a)
		}
		records[dns.Fqdn(k)] = v
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	ts.Check(err)
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		name := q.Question[0].Name
		target, ok := records[name]
		switch {
		case silent:
			return // read the query, never answer
		case target == "SERVFAIL":
			m.Rcode = dns.RcodeServerFailure
		case target == "NOADDR": // the name exists but has no A or AAAA record
		case !ok:
			m.Rcode = dns.RcodeNameError
		case net.ParseIP(target) != nil && q.Question[0].Qtype == dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(target)})
		case net.ParseIP(target) == nil:
			m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: dns.Fqdn(target)})
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	ts.Defer(func() { _ = srv.ShutdownContext(context.Background()) })
	ts.Setenv(args[0], pc.LocalAddr().String())
}

// loadTestChain reads a PEM chain written by writeFixtures and pairs it with
// its leaf key, which testpki caches by common name.
func loadTestChain(path string) (tls.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return tls.Certificate{}, err
	}
	return testpki.KeyPairForPEM(data)
}

// cmdExitCode runs certlint in-process and checks its exit code exactly,
// which `exec` cannot: exitcode N certlint ARGS... Its output feeds the
// script's stdout and stderr checks like exec's does.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || args[1] != "certlint" {
		ts.Fatalf("usage: exitcode N certlint ARGS...")
	}
	var want int
	if _, err := fmt.Sscan(args[0], &want); err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	// certlint runs in this process, whose directory is not the script's:
	// arguments naming files of the script's directory are made absolute.
	cliArgs := append([]string(nil), args[2:]...)
	for i, a := range cliArgs {
		if _, err := os.Stat(ts.MkAbs(a)); err == nil && a != "" && !strings.HasPrefix(a, "-") {
			cliArgs[i] = ts.MkAbs(a)
		}
	}
	var stdout, stderr strings.Builder
	got := run(cliArgs, strings.NewReader(""), &stdout, &stderr)
	fmt.Fprint(ts.Stdout(), stdout.String())
	fmt.Fprint(ts.Stderr(), stderr.String())
	if err := checkJSONOutput(cliArgs, []byte(stdout.String()), ts.MkAbs); err != nil {
		ts.Fatalf("%v", err)
	}
	if got != want {
		ts.Fatalf("certlint exited %d, want %d\nstdout:\n%s\nstderr:\n%s", got, want, stdout.String(), stderr.String())
	}
}

// checkJSONOutput validates what a story's certlint command wrote as JSON
// (stdout, or the --output-file) against docs/schema/certlint-v1.json, so
// every JSON output of every story is held to the published contract.
// abs makes a file argument absolute.
func checkJSONOutput(args []string, stdout []byte, abs func(string) string) error {
	format, outFile, command, list := "", "", "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case a == "-o" || a == "--output":
			format = next()
		case strings.HasPrefix(a, "--output="):
			format = strings.TrimPrefix(a, "--output=")
		case strings.HasPrefix(a, "-o") && !strings.HasPrefix(a, "--"):
			format = strings.TrimPrefix(a, "-o")
		case a == "--output-file":
			outFile = next()
		case strings.HasPrefix(a, "--output-file="):
			outFile = strings.TrimPrefix(a, "--output-file=")
		case a == "--list":
			list = true
		case command == "" && !strings.HasPrefix(a, "-"):
			command = a
		}
	}
	if format != "json" && format != "jsonl" {
		return nil
	}
	name, ok := jsonOutputs[command]
	if !ok {
		return fmt.Errorf("certlint %s -o json: no part of the schema is named for this command's output (add it to jsonOutputs)", command)
	}
	if list {
		name += "List"
	}
	if command == "profiles" && showSub(args) {
		name = "profile"
	}
	data, where := stdout, "stdout"
	if outFile != "" && outFile != "-" {
		var err error
		if data, err = os.ReadFile(abs(outFile)); err != nil {
			return nil // the command refused to write it; the story checks that
		}
		where = outFile
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil // an error before any output
	}
	if format == "jsonl" { // one target report per line
		for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			if err := schematest.Validate(line, "reportLine"); err != nil {
				return fmt.Errorf("certlint %s -o jsonl, %s line %d: %v", command, where, i+1, err)
			}
		}
		return nil
	}
	if err := schematest.Validate(data, name); err != nil {
		return fmt.Errorf("certlint %s -o json, %s: %v", command, where, err)
	}
	return nil
}

// jsonOutputs maps a command to the part of the schema its -o json
// output follows.
var jsonOutputs = map[string]string{
	"check":   schematest.Report,
	"merge":   schematest.Report,
	"explain": "explain", // --list: explainList
	"root":    "root",
	// profiles: the list; profiles show: profile (see checkJSONOutput)
	"profiles": "profiles",
}

// showSub reports whether a profiles command line is `profiles show`.
func showSub(args []string) bool {
	for i, a := range args {
		if a == "profiles" {
			for _, b := range args[i+1:] {
				if !strings.HasPrefix(b, "-") {
					return b == "show"
				}
			}
		}
	}
	return false
}
