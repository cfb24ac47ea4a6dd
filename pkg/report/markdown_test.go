package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

func TestGoldenMarkdown(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteMarkdown(&buf, exampleReport(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// What a support engineer needs must be there whatever the golden says.
	for _, want := range []string{"| spwf04 (ST SPWF04Sx) |", "| 0 | leaf | served | 3,582 |", "**fix:**", "source: ST community", "e59d5930824758ccacfa085436867b3ab5044df0"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	golden(t, "bing-2019.md", buf.Bytes())
	if _, err := report.Lookup("markdown"); err != nil {
		t.Errorf("markdown is not a registered format: %v", err)
	}
}

// TestMarkdownEscapesUntrustedText makes sure a subject or message cannot
// add table rows, headings, links, HTML or terminal escapes to a ticket.
func TestMarkdownEscapesUntrustedText(t *testing.T) {
	evil := "CN=a|b`c*d_e<script>[x](http://evil)\n# owned\x1b[2J"
	rep := report.New([]report.TargetReport{{
		Target: "evil.test", Verdict: report.VerdictFail, CheckedAt: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
		Chain: []report.Cert{{Subject: evil, Role: "leaf", Source: "served", KeyType: "rsa", KeyBits: 2048, SKI: "ab`|"}},
		Devices: []report.DeviceReport{{Device: "spwf04", Name: "ST SPWF04Sx", Verdict: report.VerdictFail, Findings: []constraints.Finding{{
			Check: "cert-size", Severity: constraints.Fail, Message: evil, Fix: "load " + evil, Sources: []string{evil},
		}}}},
	}})
	var buf bytes.Buffer
	if err := report.WriteMarkdown(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"a|b", "b`c", "c*d", "d_e", "<script>", "[x]", "\n# owned", "\x1b"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains unescaped %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `CN=a\|b\`+"`"+`c\*d\_e&lt;script&gt;\[x\](http://evil) \# owned\\u001b\[2J`) {
		t.Errorf("escaped subject missing:\n%s", out)
	}
	// Every table row still has the same number of cells.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| 0 |") && strings.Count(strings.ReplaceAll(l, `\|`, ""), "|") != 11 {
			t.Errorf("chain row has extra cells: %s", l)
		}
	}
}

// TestFailingFindingsCarryFix pins issue 5 part 6: every failing finding of
// the example report says what to do, and the markdown shows it.
func TestFailingFindingsCarryFix(t *testing.T) {
	rep := exampleReport(t)
	var buf bytes.Buffer
	if err := report.WriteMarkdown(&buf, rep); err != nil {
		t.Fatal(err)
	}
	fails := 0
	for _, d := range rep.Reports[0].Devices {
		for _, f := range d.Findings {
			if f.Severity != constraints.Fail {
				continue
			}
			fails++
			if f.Fix == "" {
				t.Errorf("%s %s fails without a fix: %s", d.Device, f.Check, f.Message)
			} else if !strings.Contains(buf.String(), "**fix:** "+report.MD(f.Fix)) {
				t.Errorf("markdown lacks the fix of %s %s", d.Device, f.Check)
			}
		}
	}
	if fails == 0 {
		t.Fatal("the example report has no failing finding to test")
	}
}
