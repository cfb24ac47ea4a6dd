package report_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

// ciReport is a run as CI sees it: the real example chain (two devices
// fail, two pass), a target that could not be checked, and a target whose
// certificate text tries to break out of the format.
func ciReport(t testing.TB) *report.Report {
	t.Helper()
	bing := exampleReport(t).Reports[0]
	evil := exampleReport(t).Reports[0]
	evil.Target = "evil.test:443"
	evil.Offline = false
	evil.Host, evil.Port, evil.Address = "evil.test", 443, "127.0.0.1"
	evil.Chain[0].Subject = "CN=evil</failure>]]>\x1b[2J\u202e&"
	evil.Devices = evil.Devices[2:3]
	evil.Devices[0].Verdict = report.VerdictWarn
	evil.Devices[0].Findings = append(evil.Devices[0].Findings, constraints.Finding{
		Check: "cert-size", Severity: constraints.Warn, CertIndex: 0,
		Message: "certificate #0 (leaf, CN=evil</failure>]]>\x1b[2J\u202e&) is odd\nfake: line", Fix: "<script>x</script>",
	})
	evil.Verdict = report.VerdictWarn
	down := report.NewErrorReport("nosuch.example:443", errors.New("resolve nosuch.example: no such host"))
	return report.New([]report.TargetReport{bing, down, evil})
}

func TestGoldenJUnit(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteJUnit(&buf, ciReport(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "ci.junit.xml", buf.Bytes())
}

// TestJUnitAgainstXSD validates the output against the JUnit schema
// Jenkins' xunit plugin reads (testdata/junit-10.xsd), with xmllint. A
// document the schema must reject is checked too, so a validator that
// accepts everything cannot pass the test.
func TestJUnitAgainstXSD(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (Debian: apt-get install libxml2-utils); JUnit output not validated against testdata/junit-10.xsd")
	}
	var buf bytes.Buffer
	if err := report.WriteJUnit(&buf, ciReport(t)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "report.xml")
	bad := filepath.Join(dir, "bad.xml")
	if err := os.WriteFile(good, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`<testsuites><testsuite tests="1"><testcase/></testsuite></testsuites>`), 0o644); err != nil {
		t.Fatal(err)
	}
	schema := filepath.Join("testdata", "junit-10.xsd")
	if out, err := exec.Command(xmllint, "--noout", "--schema", schema, good).CombinedOutput(); err != nil {
		t.Errorf("JUnit output is not valid against %s: %v\n%s", schema, err, out)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", schema, bad).CombinedOutput(); err == nil {
		t.Errorf("xmllint accepted a testsuite without name: %s", out)
	}
}

type parsedSuites struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestJUnitShape reads the XML back: one suite per target, one case per
// device, failures carry the failing findings and their fix, the
// unreachable target is an error, untrusted text stays text.
func TestJUnitShape(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteJUnit(&buf, ciReport(t)); err != nil {
		t.Fatal(err)
	}
	var doc parsedSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output is not XML: %v\n%s", err, buf.String())
	}
	if len(doc.Suites) != 3 || doc.Tests != 6 || doc.Failures != 2 || doc.Errors != 1 {
		t.Fatalf("suites, tests, failures, errors = %d, %d, %d, %d; want 3, 6, 2, 1", len(doc.Suites), doc.Tests, doc.Failures, doc.Errors)
	}
	bing := doc.Suites[0]
	if bing.Name != "examples/bing-2019.pem" || len(bing.Cases) != 4 {
		t.Fatalf("first suite %q with %d cases, want examples/bing-2019.pem with 4", bing.Name, len(bing.Cases))
	}
	for _, c := range bing.Cases {
		fails := c.Name == "spwf04" || c.Name == "spwf04@1.0"
		if (c.Failure != nil) != fails {
			t.Errorf("device %s: failure = %v, want failing %v", c.Name, c.Failure, fails)
		}
		if c.Name == "spwf04" && c.Failure != nil {
			if !strings.Contains(c.Failure.Text, "[cert-size] certificate #0") || !strings.Contains(c.Failure.Text, "fix: ") || !strings.Contains(c.Failure.Message, "cert-size") {
				t.Errorf("spwf04 failure lacks the cert-size finding or its fix: %q / %q", c.Failure.Message, c.Failure.Text)
			}
		}
	}
	down := doc.Suites[1]
	if down.Errors != 1 || len(down.Cases) != 1 || down.Cases[0].Error == nil || !strings.Contains(down.Cases[0].Error.Message, "no such host") {
		t.Errorf("unreachable target suite = %+v, want one case with the error", down)
	}
	evil := doc.Suites[2]
	if len(evil.Cases) != 1 || evil.Cases[0].Failure != nil || !strings.Contains(evil.Cases[0].SystemOut, `CN=evil</failure>]]>\u001b[2J\u202e&`) {
		t.Errorf("warning case = %+v, want no failure and the cleaned subject in system-out", evil.Cases)
	}
	for _, bad := range []string{"\x1b", "\u202e", "<script>"} {
		if strings.Contains(buf.String(), bad) {
			t.Errorf("JUnit output contains %q unescaped", bad)
		}
	}
}
