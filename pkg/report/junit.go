package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/certlint/certlint/pkg/constraints"
)

func init() {
	RegisterFormat("junit", func(w io.Writer, r *Report, opts Options) error { return WriteJUnitOptions(w, r, opts) })
}

// The JUnit XML shape CI servers read (Jenkins, GitLab, GitHub test
// reporters): testsuites > testsuite > testcase, with failure or error
// inside a testcase. testdata/junit-10.xsd is the schema it is tested
// against.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Hostname   string          `xml:"hostname,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit renders the report as JUnit XML: one testsuite per target and
// address, one testcase per device (failure text = the failing findings
// with their fix), and a target that could not be checked as one testcase
// with an error. Warnings pass and are listed in system-out. Certificate
// text is stripped of control characters (Clean) and XML-escaped by
// encoding/xml.
func WriteJUnit(w io.Writer, r *Report) error { return WriteJUnitOptions(w, r, Options{}) }

// WriteJUnitOptions is WriteJUnit; with opts.FailOnWarn (--fail-on warn)
// a device that only warns is a failure too, so the report's failures
// agree with the exit code.
func WriteJUnitOptions(w io.Writer, r *Report, opts Options) error {
	doc := junitSuites{Name: "certlint"}
	for _, t := range r.Reports {
		s := junitTarget(t, opts.FailOnWarn)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Suites = append(doc.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func suiteName(t TargetReport) string {
	name := Clean(t.Target)
	if t.Address != "" {
		name += " → " + Clean(t.Address)
	}
	return name
}

func junitTarget(t TargetReport, failOnWarn bool) junitSuite {
	s := junitSuite{Name: suiteName(t), Hostname: Clean(t.Address)}
	if !t.CheckedAt.IsZero() {
		s.Timestamp = t.CheckedAt.UTC().Format("2006-01-02T15:04:05")
	}
	for _, p := range [][2]string{{"target", t.Target}, {"servername", t.ServerName}, {"address", t.Address}, {"verdict", t.Verdict}} {
		if p[1] != "" {
			s.Properties = append(s.Properties, junitProperty{Name: p[0], Value: Clean(p[1])})
		}
	}
	class := "certlint." + Clean(t.Target)
	if t.Error != "" {
		s.Tests, s.Errors = 1, 1
		s.Cases = append(s.Cases, junitCase{Name: "check", ClassName: class,
			Error: &junitProblem{Message: Clean(t.Error), Type: "error", Text: Clean(t.Error)}})
		return s
	}
	for _, d := range t.Devices {
		c := junitCase{Name: Clean(d.Device), ClassName: class}
		failing, warning := findingsText(d, constraints.Fail), findingsText(d, constraints.Warn)
		switch {
		case failing != "":
			c.Failure = &junitProblem{Message: fmt.Sprintf("%s fails: %s", Clean(d.Device), checkIDs(d, constraints.Fail)), Type: "fail", Text: failing}
		case failOnWarn && warning != "":
			c.Failure = &junitProblem{Message: fmt.Sprintf("%s warns (--fail-on warn): %s", Clean(d.Device), checkIDs(d, constraints.Warn)), Type: "warn", Text: warning}
			warning = ""
		}
		if c.Failure != nil {
			s.Failures++
		}
		c.SystemOut = warning
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	return s
}

// findingsText lists a device's findings of one severity, each with its
// fix and sources, one block per finding.
func findingsText(d DeviceReport, sev constraints.Severity) string {
	var b strings.Builder
	for _, f := range d.Findings {
		if f.Severity != sev {
			continue
		}
		fmt.Fprintf(&b, "[%s] %s\n", f.Check, Clean(f.Message))
		if f.Fix != "" {
			fmt.Fprintf(&b, "  fix: %s\n", Clean(f.Fix))
		}
		for _, src := range f.Sources {
			fmt.Fprintf(&b, "  source: %s\n", Clean(src))
		}
	}
	return b.String()
}

func checkIDs(d DeviceReport, sev constraints.Severity) string {
	var ids []string
	for _, f := range d.Findings {
		if f.Severity == sev && !containsString(ids, f.Check) {
			ids = append(ids, f.Check)
		}
	}
	return strings.Join(ids, ", ")
}
