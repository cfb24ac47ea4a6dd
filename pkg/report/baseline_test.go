package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

// fleetReport is a small hand-made report: one target, leaf, intermediate
// and a store root, two devices.
func fleetReport() *report.Report {
	return report.New([]report.TargetReport{{
		Target: "hub.test:8883", Host: "hub.test", Port: 8883, Address: "10.0.0.1", Verdict: report.VerdictPass,
		Chain: []report.Cert{
			{Index: 0, Role: "leaf", Source: "served", Subject: "CN=hub.test", DERBytes: 2300, KeyType: "rsa", KeyBits: 2048, SHA256: "aa01"},
			{Index: 1, Role: "intermediate", Source: "served", Subject: "CN=Hub CA 1", DERBytes: 1200, KeyType: "rsa", KeyBits: 2048, SHA256: "bb01"},
			{Index: 2, Role: "root", Source: "store", Subject: "CN=Baltimore CyberTrust Root", DERBytes: 891, KeyType: "rsa", KeyBits: 2048, SHA256: "cc01"},
		},
		Devices: []report.DeviceReport{{Device: "spwf04", Verdict: report.VerdictPass}, {Device: "cc3200", Verdict: report.VerdictFail}},
	}})
}

func kinds(changes []report.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Kind)
	}
	return out
}

func TestBaselineDiff(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(r *report.TargetReport)
		want   []string
		check  func(t *testing.T, c []report.Change)
	}{
		{"nothing", func(r *report.TargetReport) {}, nil, nil},
		{"same chain at another address", func(r *report.TargetReport) { r.Address = "10.0.0.2" }, nil, nil},
		{"leaf replaced and grew (seed 000)", func(r *report.TargetReport) {
			r.Chain[0].SHA256, r.Chain[0].DERBytes = "aa02", 3813
		}, []string{"leaf-replaced", "cert-size", "chain-size"}, func(t *testing.T, c []report.Change) {
			if c[1].DeltaBytes != 1513 || c[1].CertIndex != 0 || !strings.Contains(c[1].Message, "2,300 → 3,813 bytes") {
				t.Errorf("cert-size change = %+v", c[1])
			}
			if c[2].DeltaBytes != 1513 {
				t.Errorf("chain-size delta %d, want 1513", c[2].DeltaBytes)
			}
		}},
		{"intermediate replaced, same size", func(r *report.TargetReport) {
			r.Chain[1].SHA256, r.Chain[1].Subject = "bb02", "CN=Hub CA 2"
		}, []string{"intermediate-replaced"}, func(t *testing.T, c []report.Change) {
			if c[0].Old != "CN=Hub CA 1" || c[0].New != "CN=Hub CA 2" || c[0].CertIndex != 1 {
				t.Errorf("change = %+v", c[0])
			}
		}},
		{"new key type", func(r *report.TargetReport) {
			r.Chain[0].SHA256, r.Chain[0].KeyType, r.Chain[0].KeyBits = "aa03", "ecdsa", 256
		}, []string{"leaf-replaced", "key-changed"}, func(t *testing.T, c []report.Change) {
			if c[1].Old != "rsa-2048" || c[1].New != "ecdsa-256" {
				t.Errorf("key change = %+v", c[1])
			}
		}},
		{"new key size", func(r *report.TargetReport) {
			r.Chain[1].SHA256, r.Chain[1].KeyBits = "bb03", 4096
		}, []string{"intermediate-replaced", "key-changed"}, nil},
		{"root migration (Azure 2023)", func(r *report.TargetReport) {
			r.Chain[2].SHA256, r.Chain[2].Subject = "dd01", "CN=DigiCert Global Root G2"
		}, []string{"root-changed"}, func(t *testing.T, c []report.Change) {
			if !strings.Contains(c[0].Message, "Baltimore CyberTrust Root → CN=DigiCert Global Root G2") {
				t.Errorf("root change message %q", c[0].Message)
			}
		}},
		{"intermediate added", func(r *report.TargetReport) {
			r.Chain = append(r.Chain[:2:2], report.Cert{Index: 2, Role: "intermediate", Source: "served", Subject: "CN=Cross", DERBytes: 1500, SHA256: "ee01"}, r.Chain[2])
		}, []string{"intermediate-added", "chain-size"}, nil},
		{"intermediate removed", func(r *report.TargetReport) {
			r.Chain = []report.Cert{r.Chain[0], r.Chain[2]}
		}, []string{"intermediate-removed", "chain-size"}, nil},
		{"device pass to fail and fail to pass", func(r *report.TargetReport) {
			r.Devices[0].Verdict, r.Devices[1].Verdict = report.VerdictFail, report.VerdictPass
		}, []string{"device-now-fails", "device-now-passes"}, func(t *testing.T, c []report.Change) {
			if c[0].Device != "spwf04" || c[1].Device != "cc3200" {
				t.Errorf("device changes = %+v", c)
			}
		}},
		{"error now: nothing compared", func(r *report.TargetReport) {
			r.Error, r.Chain = "dial: refused", nil
		}, nil, nil},
		{"new target", func(r *report.TargetReport) { r.Target = "other.test:443" }, []string{"new-target"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			old, cur := fleetReport(), fleetReport()
			tt.change(&cur.Reports[0])
			n := cur.Diff(old)
			got := cur.Reports[0].Changes
			if n != len(got) || strings.Join(kinds(got), " ") != strings.Join(tt.want, " ") {
				t.Fatalf("Diff = %d %v, want %v", n, kinds(got), tt.want)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

// TestBaselineRoundTrip: a JSON report read back as a baseline compares
// equal to itself, and changes show in JSON and text.
func TestBaselineRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, fleetReport()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"changes": []`) {
		t.Error("a report without a baseline has no empty changes list")
	}
	base, err := report.ReadBaseline(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	cur := fleetReport()
	if n := cur.Diff(base); n != 0 {
		t.Fatalf("%d changes against itself: %+v", n, cur.Reports[0].Changes)
	}
	cur.Reports[0].Chain[0].SHA256, cur.Reports[0].Chain[0].DERBytes = "aa09", 3813
	cur.Diff(base)
	var js, text bytes.Buffer
	if err := report.WriteJSON(&js, cur); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Reports []struct {
			Changes []map[string]interface{} `json:"changes"`
		} `json:"reports"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Reports[0].Changes) != 3 || doc.Reports[0].Changes[0]["kind"] != "leaf-replaced" || doc.Reports[0].Changes[1]["delta_bytes"] != float64(1513) {
		t.Errorf("JSON changes = %v", doc.Reports[0].Changes)
	}
	if err := report.WriteText(&text, cur, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "changed since the baseline:") || !strings.Contains(text.String(), "cert-size  leaf #0 grew by 1,513: 2,300 → 3,813 bytes") {
		t.Errorf("text report does not show the changes:\n%s", text.String())
	}
}

func TestBadBaseline(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"not JSON", "<testsuites/>", "not a certlint JSON report"},
		{"other JSON", `{"version": "2.1.0", "runs": []}`, `no "schema" field`},
		{"other schema version", `{"schema": "certlint/v2", "reports": []}`, `schema "certlint/v2", this certlint reads "certlint/v1"`},
		{"wrong shape", `{"schema": "certlint/v1", "reports": {"a": 1}}`, "certlint JSON report"},
		{"empty", "", "not a certlint JSON report"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ReadBaseline(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := report.LoadBaseline("testdata/does-not-exist.json"); err == nil || !strings.HasPrefix(err.Error(), "open testdata/does-not-exist.json: ") {
		t.Errorf("missing file: %v", err)
	}
}

// TestBaselinePinBroken: a renewal marks "pin now broken" for the device
// whose pin matched the baseline's leaf, and says whether the new leaf
// kept the key (which decides whether a key pin survives).
func TestBaselinePinBroken(t *testing.T) {
	withPin := func(sev constraints.Severity, leafSHA, spki string) *report.Report {
		r := fleetReport()
		r.Reports[0].Chain[0].SHA256, r.Reports[0].Chain[0].SPKISHA256 = leafSHA, spki
		esp := report.DeviceReport{Device: "esp8266", Verdict: string(sev),
			Findings: []constraints.Finding{{Check: "pin", Severity: sev, CertIndex: 0}}}
		r.Reports[0].Devices = append(r.Reports[0].Devices, esp)
		return r
	}
	for _, tt := range []struct {
		name     string
		old, cur *report.Report
		want     []string
		message  string
	}{
		{"leaf pin broken by a renewal that kept the key", withPin(constraints.Pass, "aa01", "k1"), withPin(constraints.Fail, "aa02", "k1"),
			[]string{"leaf-replaced", "pin-now-broken", "device-now-fails"}, "same public key, so a key pin still matches"},
		{"pin broken by a renewal with a new key", withPin(constraints.Warn, "aa01", "k1"), withPin(constraints.Fail, "aa02", "k2"),
			[]string{"leaf-replaced", "pin-now-broken", "device-now-fails"}, "new public key, so key pins break too"},
		{"a pin that failed before is not newly broken", withPin(constraints.Fail, "aa01", "k1"), withPin(constraints.Fail, "aa02", "k1"),
			[]string{"leaf-replaced"}, "same public key"},
		{"an old baseline without key digests says nothing of keys", withPin(constraints.Pass, "aa01", ""), withPin(constraints.Pass, "aa02", "k1"),
			[]string{"leaf-replaced"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.cur.Diff(tt.old)
			got := tt.cur.Reports[0].Changes
			if strings.Join(kinds(got), " ") != strings.Join(tt.want, " ") {
				t.Fatalf("changes %v, want %v", kinds(got), tt.want)
			}
			if !strings.Contains(got[0].Message, tt.message) || tt.message == "" && strings.Contains(got[0].Message, "key") {
				t.Errorf("leaf-replaced message %q, want %q", got[0].Message, tt.message)
			}
			for _, c := range got {
				if c.Kind == report.ChangePinBroken && (c.Device != "esp8266" || !strings.Contains(c.Message, "esp8266: pin now broken") || !strings.Contains(c.Message, tt.message)) {
					t.Errorf("pin change %+v", c)
				}
			}
		})
	}
}

// TestCompactBaselineDiffsTheSame: LoadBaseline keeps only what Diff
// compares; every fixture must diff the same against the compact baseline
// as against the whole one, changes included (a leaf replaced, a device
// that now fails, a pin that broke).
func TestCompactBaselineDiffsTheSame(t *testing.T) {
	kinds := map[string]bool{}
	for name, base := range map[string]*report.Report{"fleet": fleetReport(), "ci": ciReport(t), "example": exampleReport(t)} {
		var js bytes.Buffer
		if err := report.WriteJSON(&js, base); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "base.json")
		if err := os.WriteFile(path, js.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		compact, err := report.LoadBaseline(path)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := report.ReadBaseline(bytes.NewReader(js.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for _, cur := range []*report.Report{fleetReport(), ciReport(t), exampleReport(t), changedFleet()} {
			a, b := cloneReport(cur), cloneReport(cur)
			na, nb := a.Diff(whole), b.Diff(compact)
			if na != nb || !reflect.DeepEqual(a.Reports, b.Reports) {
				t.Errorf("%s baseline: %d changes against the whole report, %d against the compact one", name, na, nb)
			}
			for _, tr := range b.Reports {
				for _, c := range tr.Changes {
					kinds[c.Kind] = true
				}
			}
		}
	}
	for _, want := range []string{report.ChangeLeafReplaced, report.ChangeDeviceFails, report.ChangeNewTarget} {
		if !kinds[want] {
			t.Errorf("no %s change among the fixtures: the comparison tests less than it should (kinds seen: %v)", want, kinds)
		}
	}
}

// changedFleet is fleetReport after a renewal: a bigger leaf with another
// key, and its first device failing now.
func changedFleet() *report.Report {
	r := fleetReport()
	c := &r.Reports[0].Chain[0]
	c.SHA256, c.DERBytes, c.KeyBits, c.SPKISHA256 = "aa09", 3813, 4096, "ff00"
	if len(r.Reports[0].Devices) > 0 {
		r.Reports[0].Devices[0].Verdict = report.VerdictFail
	}
	return r
}

func cloneReport(r *report.Report) *report.Report {
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r); err != nil {
		panic(err)
	}
	out, err := report.ReadBaseline(&buf)
	if err != nil {
		panic(err)
	}
	return out
}
