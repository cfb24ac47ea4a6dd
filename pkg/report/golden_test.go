package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/goldenfile"
	"github.com/certlint/certlint/pkg/report"
)

// exampleReport is a fixed report: testdata/bing-2019.json, what
// `certlint check --chain examples/bing-2019.pem --servername www.bing.com
// --at 2019-06-01 -d spwf04@1.0,spwf04,cc3200,wipy -o json` once printed.
// The renderers' golden files come from it, so a changed check message
// changes no golden file here; the end-to-end path has its CLI stories.
// The JSON golden is the file itself: JSON renders what it reads.
func exampleReport(t testing.TB) *report.Report {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "bing-2019.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := report.ReadBaseline(f)
	if err != nil {
		t.Fatalf("fixed report: %v", err)
	}
	return rep
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

func TestGoldenText(t *testing.T) {
	rep := exampleReport(t)
	for _, tt := range []struct {
		file string
		opts report.TextOptions
	}{
		{"bing-2019.txt", report.TextOptions{}},
		{"bing-2019.verbose.txt", report.TextOptions{Verbose: true}},
		{"bing-2019.color.txt", report.TextOptions{Color: true}},
	} {
		var buf bytes.Buffer
		if err := report.WriteText(&buf, rep, tt.opts); err != nil {
			t.Fatal(err)
		}
		golden(t, tt.file, buf.Bytes())
	}
}

func TestGoldenJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, exampleReport(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "bing-2019.json", buf.Bytes())
}

func TestGoldenErrorReport(t *testing.T) {
	down := report.NewErrorReport("nosuch.example:443", errors.New("resolve nosuch.example: no such host"))
	down.CheckedAt = time.Date(2019, 6, 1, 12, 0, 0, 0, time.UTC)
	rep := report.New([]report.TargetReport{down})
	var text, js bytes.Buffer
	if err := report.WriteText(&text, rep, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "error.txt", text.Bytes())
	golden(t, "error.json", js.Bytes())
	if rep.ExitCode(false) != 2 {
		t.Errorf("exit code of an error report = %d, want 2", rep.ExitCode(false))
	}
}

// TestJSONContract checks the certlint/v1 document field by field against
// the schema in DESIGN.md: CI scripts parse these names.
func TestJSONContract(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, exampleReport(t)); err != nil {
		t.Fatal(err)
	}
	var doc map[string]interface{}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["schema"] != "certlint/v1" || doc["verdict"] != "fail" {
		t.Errorf("schema, verdict = %v, %v; want certlint/v1, fail", doc["schema"], doc["verdict"])
	}
	tr := doc["reports"].([]interface{})[0].(map[string]interface{})
	requireKeys(t, "report", tr, "target", "host", "port", "servername", "cnames", "address", "checked_at", "chain", "devices", "verdict", "error")
	if tr["servername"] != "www.bing.com" || tr["checked_at"] != "2019-06-01T12:00:00Z" || tr["error"] != "" {
		t.Errorf("servername, checked_at, error = %v, %v, %q", tr["servername"], tr["checked_at"], tr["error"])
	}
	chainList := tr["chain"].([]interface{})
	if len(chainList) != 3 {
		t.Fatalf("chain has %d certificates, want leaf, intermediate and the store root", len(chainList))
	}
	wantChain := []struct {
		role, source string
		bytes, bits  float64
		ski          string
	}{
		{"leaf", "served", 3582, 2048, "3707b59b7c1e429244ef044e24e408b8b107d3da"},
		{"intermediate", "served", 1464, 4096, "919e3b446c3d579c42772a34d74fd1cc4a972cda"},
		{"root", "store", 891, 2048, "e59d5930824758ccacfa085436867b3ab5044df0"},
	}
	for i, w := range wantChain {
		c := chainList[i].(map[string]interface{})
		requireKeys(t, "chain entry", c, "index", "role", "source", "subject", "issuer", "der_bytes", "key_type", "key_bits", "signature_algorithm", "not_before", "not_after", "sha256", "ski", "aki")
		if c["index"] != float64(i) || c["role"] != w.role || c["source"] != w.source || c["der_bytes"] != w.bytes || c["key_bits"] != w.bits || c["ski"] != w.ski || c["key_type"] != "rsa" {
			t.Errorf("chain[%d] = %v %v %v %v %v %v, want %+v", i, c["index"], c["role"], c["source"], c["der_bytes"], c["key_bits"], c["ski"], w)
		}
	}
	devices := tr["devices"].([]interface{})
	if len(devices) != 4 {
		t.Fatalf("%d devices, want 4", len(devices))
	}
	wantVerdicts := map[string]string{"spwf04@1.0": "fail", "spwf04": "fail", "cc3200": "pass", "wipy": "pass"}
	for _, d := range devices {
		dev := d.(map[string]interface{})
		requireKeys(t, "device", dev, "device", "verdict", "findings")
		id := dev["device"].(string)
		if dev["verdict"] != wantVerdicts[id] {
			t.Errorf("device %s verdict %v, want %s", id, dev["verdict"], wantVerdicts[id])
		}
		for _, f := range dev["findings"].([]interface{}) {
			finding := f.(map[string]interface{})
			requireKeys(t, "finding", finding, "check", "severity", "cert_index", "message")
			if id == "spwf04" && finding["check"] == "cert-size" && finding["cert_index"] == float64(0) {
				if finding["severity"] != "fail" || finding["limit"] != float64(2560) || finding["actual"] != float64(3582) || finding["confidence"] != "vendor-forum" || len(finding["sources"].([]interface{})) == 0 {
					t.Errorf("spwf04 cert-size on #0 = %v", finding)
				}
			}
		}
	}
}

func requireKeys(t *testing.T, what string, m map[string]interface{}, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no %q key: %v", what, k, m)
		}
	}
}

// TestTextCleansUntrustedFields makes sure a subject cannot drive the
// terminal: escapes, newlines and bidi overrides come out escaped.
func TestTextCleansUntrustedFields(t *testing.T) {
	evil := "CN=evil\x1b[2J\x1b]0;owned\x07\nfake line\u202e"
	rep := report.New([]report.TargetReport{{
		Target: "evil.test", Verdict: report.VerdictPass, CheckedAt: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
		Chain: []report.Cert{{Subject: evil, Role: "leaf", Source: "served", KeyType: "rsa", KeyBits: 2048}},
	}})
	var buf bytes.Buffer
	if err := report.WriteText(&buf, rep, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\nfake line"} {
		if strings.Contains(out, bad) {
			t.Errorf("text output contains %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `CN=evil\u001b[2J`) {
		t.Errorf("escaped subject missing from output:\n%s", out)
	}
}
