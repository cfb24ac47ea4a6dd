package report_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

func TestGoldenSARIF(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf, ciReport(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "ci.sarif", buf.Bytes())
}

// sarifSchema compiles the SARIF 2.1.0 JSON schema checked in under
// testdata (the OASIS 2.1.0 schema as published for rtm.5, draft-04).
// santhosh-tekuri/jsonschema is used because a draft-04 validator covering
// the whole schema ($ref, oneOf, enums, additionalProperties) is not
// something to hand-write in a test.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatalf("compile SARIF schema: %v", err)
	}
	return sch
}

// TestSARIFAgainstSchema validates the output against the SARIF 2.1.0
// schema, and checks that the schema rejects a broken log (a result with
// no message), so the validation is known to bite.
func TestSARIFAgainstSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf, ciReport(t)); err != nil {
		t.Fatal(err)
	}
	sch := sarifSchema(t)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("SARIF output is not valid SARIF 2.1.0: %v", err)
	}
	broken := strings.Replace(buf.String(), `"message": {`, `"messageX": {`, 1)
	doc, err = jsonschema.UnmarshalJSON(strings.NewReader(broken))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err == nil {
		t.Error("the SARIF schema accepted a result without a message")
	}
}

type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID               string `json:"id"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
			Notifications       []struct {
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			Properties map[string]interface{} `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

// TestSARIFShape checks what the schema cannot: one rule per check with
// its description, one result per failing or warning finding, the target
// as the location, certificate facts in properties.
func TestSARIFShape(t *testing.T) {
	rep := ciReport(t)
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	checks := constraints.Checks()
	if len(run.Tool.Driver.Rules) != len(checks) {
		t.Fatalf("%d rules, want one per check (%d)", len(run.Tool.Driver.Rules), len(checks))
	}
	for i, c := range checks {
		r := run.Tool.Driver.Rules[i]
		if r.ID != c.ID() || r.ShortDescription.Text != c.Description() || r.ShortDescription.Text == "" {
			t.Errorf("rule %d = %s %q, want %s %q", i, r.ID, r.ShortDescription.Text, c.ID(), c.Description())
		}
	}
	want := 0
	for _, tr := range rep.Reports {
		for _, d := range tr.Devices {
			for _, f := range d.Findings {
				if f.Severity == constraints.Fail || f.Severity == constraints.Warn {
					want++
				}
			}
		}
	}
	if want == 0 || len(run.Results) != want {
		t.Fatalf("%d results, want %d (one per failing or warning finding)", len(run.Results), want)
	}
	var sawCertSize bool
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s points at rule %d", r.RuleID, r.RuleIndex)
		}
		if len(r.Locations) != 1 {
			t.Fatalf("result %s has %d locations", r.RuleID, len(r.Locations))
		}
		uri := r.Locations[0].PhysicalLocation.ArtifactLocation.URI
		if r.RuleID == "cert-size" && r.Properties["device"] == "spwf04" && uri == "examples/bing-2019.pem" {
			sawCertSize = true
			if r.Level != "error" || r.Properties["cert_index"] != float64(0) || !strings.HasPrefix(r.Properties["cert_subject"].(string), "CN=") || r.Properties["limit"] != float64(2560) {
				t.Errorf("spwf04 cert-size result = %+v", r)
			}
		}
		if uri == "tls://evil.test:443" && (r.Level != "warning" || strings.ContainsAny(r.Message.Text, "\x1b\n\u202e")) {
			t.Errorf("evil warning = %q level %s, want a cleaned warning", r.Message.Text, r.Level)
		}
	}
	if !sawCertSize {
		t.Error("no cert-size error for spwf04 located at examples/bing-2019.pem")
	}
	inv := run.Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful || len(inv[0].Notifications) != 1 || !strings.Contains(inv[0].Notifications[0].Message.Text, "no such host") {
		t.Errorf("invocations = %+v, want one unsuccessful with the unreachable target", inv)
	}
}
