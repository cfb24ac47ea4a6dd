package certlint

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/report"
)

// handshakeChecks depend on a live dial; offline they are skipped.
// message-size also names how the records were (not) seen, which differs.
// client-cert without --client-cert judges what the server asks of the
// device (a live fact).
var handshakeChecks = map[string]bool{"tls-version": true, "cipher-suite": true, "sni": true, "message-size": true, "client-cert": true}

// findingsByDevice flattens a report to device → findings, leaving out the
// checks that need a handshake.
func findingsByDevice(t *testing.T, rep *report.Report) map[string][]string {
	t.Helper()
	if len(rep.Reports) != 1 {
		t.Fatalf("%d reports, want 1", len(rep.Reports))
	}
	tr := rep.Reports[0]
	if tr.Error != "" {
		t.Fatalf("report error: %s", tr.Error)
	}
	out := map[string][]string{}
	for _, d := range tr.Devices {
		for _, f := range d.Findings {
			if handshakeChecks[f.Check] {
				continue
			}
			out[d.Device] = append(out[d.Device], f.Check+" "+string(f.Severity)+" #"+strconv.Itoa(f.CertIndex)+" "+f.Message)
		}
	}
	return out
}

// TestOfflineFormatsGiveTheSameFindings: a chain as PEM, DER and PKCS#7
// (PEM and DER) must be judged the same.
func TestOfflineFormatsGiveTheSameFindings(t *testing.T) {
	at := time.Date(2019, 6, 1, 12, 0, 0, 0, time.UTC)
	var first map[string][]string
	for _, file := range []string{"bing-2019.pem", "bing-2019.der", "bing-2019.p7b", "bing-2019.p7b.der"} {
		rep, err := Check(context.Background(), Request{
			ChainFile: filepath.Join("..", "chain", "testdata", file), ServerName: "www.bing.com", At: at,
		})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		got := findingsByDevice(t, rep)
		if first == nil {
			first = got
			if len(got["spwf04"]) == 0 {
				t.Fatalf("%s: no spwf04 findings", file)
			}
			continue
		}
		if !reflect.DeepEqual(got, first) {
			t.Errorf("%s findings differ from bing-2019.pem:\n%v\nwant\n%v", file, got, first)
		}
	}
}

// TestOfflineMatchesLiveDial serves a chain on 127.0.0.1 and checks it both
// ways: every check that does not need a handshake must agree.
func TestOfflineMatchesLiveDial(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "Equivalence Root"})
	inter := root.Intermediate(testpki.Spec{CN: "Equivalence CA", Key: "rsa4096"})
	leaf := inter.Leaf(testpki.Spec{CN: "big.test", DNSNames: testpki.ManyNames("big.test", 80)})
	served := testpki.Chain{leaf, inter}
	addr := testpki.ServeChain(t, served)
	dir := t.TempDir()
	chainFile, caFile := filepath.Join(dir, "chain.pem"), filepath.Join(dir, "root.der")
	if err := os.WriteFile(chainFile, served.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(caFile, root.DER, 0o644); err != nil {
		t.Fatal(err)
	}
	base := Request{ServerName: "big.test", CAFiles: []string{caFile}, Devices: []string{"all,spwf04@1.0"}, Timeout: 5 * time.Second}

	live := base
	live.Targets = []string{addr}
	liveRep, err := Check(context.Background(), live)
	if err != nil {
		t.Fatal(err)
	}
	offline := base
	offline.ChainFile = chainFile
	offRep, err := Check(context.Background(), offline)
	if err != nil {
		t.Fatal(err)
	}
	if l, o := findingsByDevice(t, liveRep), findingsByDevice(t, offRep); !reflect.DeepEqual(l, o) {
		t.Errorf("live and offline findings differ:\nlive    %v\noffline %v", l, o)
	}
	if liveRep.Verdict != report.VerdictFail || liveRep.ExitCode(false) != 1 {
		t.Errorf("verdict %s exit %d, want fail and 1 (the 3.9 KB leaf is over the SPWF04 limit)", liveRep.Verdict, liveRep.ExitCode(false))
	}
	if liveRep.Reports[0].TLS == nil || liveRep.Reports[0].TLS.Version == "" {
		t.Errorf("live report has no negotiated version: %+v", liveRep.Reports[0].TLS)
	}
}

// TestUnreachableTargetDoesNotStopOthers: one refused target is an error
// report; the good target is still checked and the run exits 2.
func TestUnreachableTargetDoesNotStopOthers(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "Batch Root"})
	leaf := root.Leaf(testpki.Spec{CN: "ok.test", DNSNames: []string{"ok.test"}})
	good := testpki.ServeChain(t, testpki.Chain{leaf})
	ln := testpki.Listen(t)
	refused := ln.Addr().String()
	ln.Close()
	rep, err := Check(context.Background(), Request{Targets: []string{refused, good}, Devices: []string{"spwf04"}, ServerName: "ok.test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Reports) != 2 || rep.Reports[0].Error == "" || rep.Reports[1].Error != "" {
		t.Fatalf("reports = %+v, want the refused target first with an error, then the good one", rep.Reports)
	}
	if rep.ExitCode(false) != 2 {
		t.Errorf("exit code %d, want 2", rep.ExitCode(false))
	}
}
