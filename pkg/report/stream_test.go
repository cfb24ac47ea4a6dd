package report_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/certlint/certlint/pkg/report"
)

// manyReports is a batch of n targets: copies of the CI fixture's reports,
// each with its own target name, so order can be checked.
func manyReports(t *testing.T, n int) *report.Report {
	t.Helper()
	base := ciReport(t).Reports
	out := make([]report.TargetReport, 0, n)
	for i := 0; i < n; i++ {
		tr := base[i%len(base)]
		tr.Target = strings.Repeat("x", 1+i%3) + "-" + string(rune('a'+i%26)) + "-" + itoa(i) + ".test:443"
		out = append(out, tr)
	}
	return report.New(out)
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// A Stream fed one report at a time writes exactly what the whole-report
// renderer writes, in every format and with the options formats read.
func TestStreamMatchesWholeReport(t *testing.T) {
	for _, rep := range []*report.Report{ciReport(t), exampleReport(t), manyReports(t, 40), report.New(nil)} {
		for _, format := range report.Formats() {
			for _, opts := range []report.Options{{}, {FailOnWarn: true, ToolVersion: "1.2.3", Text: report.TextOptions{Verbose: true}}} {
				render, err := report.Lookup(format)
				if err != nil {
					t.Fatal(err)
				}
				var whole, streamed bytes.Buffer
				if err := render(&whole, rep, opts); err != nil {
					t.Fatal(err)
				}
				s, err := report.NewStream(&streamed, format, opts)
				if err != nil {
					t.Fatal(err)
				}
				for _, tr := range rep.Reports {
					if err := s.Add(tr); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				if whole.String() != streamed.String() {
					t.Errorf("%s, %d reports: the stream differs from the whole report\nstream:\n%s\nwhole:\n%s", format, len(rep.Reports), streamed.String(), whole.String())
				}
				if s.Verdict() != rep.Verdict || s.ExitCode(true) != rep.ExitCode(true) {
					t.Errorf("%s: stream verdict %s exit %d, report %s exit %d", format, s.Verdict(), s.ExitCode(true), rep.Verdict, rep.ExitCode(true))
				}
			}
		}
	}
}

// The JSON document written through a Stream is the certlint/v1 document
// with the reports in the order added.
func TestStreamJSONKeepsOrder(t *testing.T) {
	rep := manyReports(t, 200)
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var got report.Report
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Schema != report.Schema || got.Verdict != rep.Verdict || len(got.Reports) != len(rep.Reports) {
		t.Fatalf("schema %q verdict %q %d reports, want %q %q %d", got.Schema, got.Verdict, len(got.Reports), report.Schema, rep.Verdict, len(rep.Reports))
	}
	for i := range got.Reports {
		if got.Reports[i].Target != rep.Reports[i].Target {
			t.Fatalf("report %d is %s, want %s", i, got.Reports[i].Target, rep.Reports[i].Target)
		}
	}
}

// -o jsonl: one line per target, each a certlint/v1 target report with
// "schema" first.
func TestJSONLines(t *testing.T) {
	rep := manyReports(t, 30)
	var buf bytes.Buffer
	if err := report.WriteJSONLines(&buf, rep); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(rep.Reports) {
		t.Fatalf("%d lines for %d reports", len(lines), len(rep.Reports))
	}
	for i, line := range lines {
		if !strings.HasPrefix(line, `{"schema":"certlint/v1","target":`) {
			t.Fatalf("line %d does not start with the schema and the target: %.80s", i+1, line)
		}
		var tr report.TargetReport
		if err := json.Unmarshal([]byte(line), &tr); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if tr.Target != rep.Reports[i].Target || tr.Verdict != rep.Reports[i].Verdict {
			t.Errorf("line %d: %s %s, want %s %s", i+1, tr.Target, tr.Verdict, rep.Reports[i].Target, rep.Reports[i].Verdict)
		}
	}
}

// A baseline given to the Stream sets each report's changes as
// Report.Diff does.
func TestStreamBaselineMatchesDiff(t *testing.T) {
	base := ciReport(t)
	cur := manyReports(t, 6)
	want := *cur
	want.Reports = append([]report.TargetReport(nil), cur.Reports...)
	n := want.Diff(base)
	var buf bytes.Buffer
	s, err := report.NewStream(&buf, "json", report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.SetBaseline(base)
	for _, tr := range cur.Reports {
		if err := s.Add(tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var wantBuf bytes.Buffer
	if err := report.WriteJSON(&wantBuf, &want); err != nil {
		t.Fatal(err)
	}
	if s.Changes() != n || buf.String() != wantBuf.String() {
		t.Errorf("stream: %d changes, Diff: %d; outputs equal: %v", s.Changes(), n, buf.String() == wantBuf.String())
	}
}

// BenchmarkStreamJSON is the cost of writing one target report into the
// -o json document (the batch hot path), BenchmarkStreamJSONLines of one
// -o jsonl line.
func BenchmarkStreamJSON(b *testing.B)      { benchmarkStream(b, "json") }
func BenchmarkStreamJSONLines(b *testing.B) { benchmarkStream(b, report.JSONLines) }
func BenchmarkStreamText(b *testing.B)      { benchmarkStream(b, "text") }

func benchmarkStream(b *testing.B, format string) {
	rep := ciReport(b)
	s, err := report.NewStream(io.Discard, format, report.Options{})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if err := s.Add(rep.Reports[i%len(rep.Reports)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReadReports is certlint merge's cost per target report read
// from a -o json document.
func BenchmarkReadReports(b *testing.B) {
	rep := ciReport(b)
	var doc bytes.Buffer
	if err := report.WriteJSON(&doc, rep); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(doc.Len() / len(rep.Reports)))
	for b.Loop() {
		n := 0
		if err := report.ReadReports(bytes.NewReader(doc.Bytes()), func(report.TargetReport) error { n++; return nil }); err != nil || n != len(rep.Reports) {
			b.Fatalf("%d reports, %v", n, err)
		}
	}
}
