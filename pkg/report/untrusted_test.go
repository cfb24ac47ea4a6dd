package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/certlint"
	"github.com/certlint/certlint/pkg/report"
)

// Hostile text a certificate or a server can carry: terminal escapes
// (clear screen, set the window title, BEL), a CR/LF that starts a fake
// report line, bidi overrides that reorder what the reader sees, and
// markup for HTML, markdown and XML readers.
const (
	evilCN = "evil\x1b[2J\x1b]0;owned\x07\r\nFAIL  fake line\u202etxt.exe\u2066 <script>alert(1)</script> | x | `y` [z](http://z.test) ]]></testcase>"
	evilCA = "Evil CA\x1b[31m\u202e\nPASS  all good"
	// SANs must be IA5 (ASCII), so they carry escapes and newlines only.
	evilSAN = "san\x1b[31m\nFAIL.evil.test"
)

// untrustedReport checks, offline, a real chain whose leaf and intermediate
// carry the hostile text, plus an error report whose target and message do.
func untrustedReport(t *testing.T) *report.Report {
	t.Helper()
	root := testpki.Root(testpki.Spec{CN: "untrusted test root"})
	ca := root.Intermediate(testpki.Spec{CN: evilCA})
	leaf := ca.Leaf(testpki.Spec{CN: evilCN, DNSNames: []string{evilSAN, "ok.test"}})
	file := filepath.Join(t.TempDir(), "evil.pem")
	if err := os.WriteFile(file, testpki.Chain{leaf, ca}.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := certlint.Check(context.Background(), certlint.Request{
		ChainFile: file, ServerName: "other.test", At: time.Now(),
	})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if !strings.Contains(rep.Reports[0].Chain[0].Subject, "\x1b[2J") {
		t.Fatalf("the leaf subject %q lost its escapes before rendering; the test would prove nothing", rep.Reports[0].Chain[0].Subject)
	}
	errRep := report.NewErrorReport("evil\x1b[2J.test", errors.New("server said "+evilCN))
	return report.New(append(rep.Reports, errRep))
}

// rawUnsafe are byte sequences that must never reach a human-facing
// output: they act on a terminal, or forge a line of the report.
var rawUnsafe = map[string]string{
	"ESC":             "\x1b",
	"BEL":             "\x07",
	"CR":              "\r",
	"RLO (U+202E)":    "\u202e",
	"LRI (U+2066)":    "\u2066",
	"injected line 1": "\nFAIL  fake line",
	"injected line 2": "\nPASS  all good",
	"injected line 3": "\nFAIL.evil.test",
}

func TestEveryFormatNeutralisesUntrustedText(t *testing.T) {
	rep := untrustedReport(t)
	for _, format := range report.Formats() {
		t.Run(format, func(t *testing.T) {
			render, err := report.Lookup(format)
			if err != nil {
				t.Fatal(err)
			}
			for _, opts := range []report.Options{{}, {Text: report.TextOptions{Color: true, Verbose: true}}} {
				var buf bytes.Buffer
				if err := render(&buf, rep, opts); err != nil {
					t.Fatalf("render: %v", err)
				}
				out := buf.String()
				if !strings.Contains(out, "evil") {
					t.Fatalf("the hostile subject is not in the %s output at all; nothing was tested:\n%s", format, out)
				}
				if format == "json" {
					checkJSONKeepsText(t, buf.Bytes())
					continue
				}
				if format == report.JSONLines {
					checkJSONKeepsText(t, jsonLinesToDocument(t, buf.Bytes()))
					continue
				}
				checkNoRawUnsafe(t, format, out, opts.Text.Color)
				checkWellFormed(t, format, buf.Bytes())
			}
		})
	}
}

// checkNoRawUnsafe fails on any raw unsafe sequence. With colour on, the
// renderer's own SGR escapes (ESC [ digits m) are allowed; nothing else.
func checkNoRawUnsafe(t *testing.T, format, out string, color bool) {
	t.Helper()
	if color && format == "text" {
		out = stripSGR(out)
	}
	for name, bad := range rawUnsafe {
		if i := strings.Index(out, bad); i >= 0 {
			t.Errorf("%s output holds a raw %s at byte %d: …%q…", format, name, i, out[max(0, i-40):min(len(out), i+40)])
		}
	}
	if format == "markdown" && strings.Contains(out, "<script>") {
		t.Errorf("markdown output holds raw HTML <script> from a certificate subject")
	}
}

// stripSGR removes colour escapes of the form ESC [ n(;n)* m.
func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// checkWellFormed parses outputs that claim a syntax: a subject must not
// break out of an XML element or a JSON string.
func checkWellFormed(t *testing.T, format string, out []byte) {
	t.Helper()
	switch trimmed := bytes.TrimSpace(out); {
	case bytes.HasPrefix(trimmed, []byte("<")):
		dec := xml.NewDecoder(bytes.NewReader(out))
		for {
			if _, err := dec.Token(); err != nil {
				if err != io.EOF {
					t.Errorf("%s output is not well-formed XML: %v", format, err)
				}
				return
			}
		}
	case bytes.HasPrefix(trimmed, []byte("{")):
		var v interface{}
		if err := json.Unmarshal(out, &v); err != nil {
			t.Errorf("%s output is not valid JSON: %v", format, err)
		}
	}
}

// checkJSONKeepsText requires JSON to carry the hostile text exactly, as
// JSON escapes: a consumer gets the real subject, a terminal gets no ESC.
// jsonLinesToDocument reads -o jsonl output (one target report per line,
// each with the schema) and returns it as one -o json document.
func jsonLinesToDocument(t *testing.T, out []byte) []byte {
	t.Helper()
	doc := report.Report{Schema: report.Schema}
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		var tr struct {
			Schema string `json:"schema"`
			report.TargetReport
		}
		if err := json.Unmarshal(line, &tr); err != nil {
			t.Fatalf("jsonl line %d does not decode: %v", i+1, err)
		}
		if tr.Schema != report.Schema {
			t.Fatalf("jsonl line %d: schema %q", i+1, tr.Schema)
		}
		doc.Reports = append(doc.Reports, tr.TargetReport)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkJSONKeepsText(t *testing.T, out []byte) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\x07", "\r"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("JSON output holds a raw %q; JSON must escape it", bad)
		}
	}
	var got report.Report
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("JSON output does not decode: %v", err)
	}
	var subjects []string
	for _, tr := range got.Reports {
		for _, c := range tr.Chain {
			subjects = append(subjects, c.Subject, c.Issuer)
		}
	}
	// Subjects are RFC 4514 strings (so "<" reads "\\<"); the control
	// characters and bidi overrides must come back exactly.
	all := strings.Join(subjects, "|")
	for _, want := range []string{"evil\x1b[2J\x1b]0", "\x07\r\nFAIL  fake line\u202etxt.exe\u2066", "Evil CA\x1b[31m\u202e\nPASS  all good"} {
		if !strings.Contains(all, want) {
			t.Errorf("JSON lost the exact subject text %q; got subjects %q", want, subjects)
		}
	}
}
