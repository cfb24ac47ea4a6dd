package report_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/certlint/certlint/pkg/report"
)

// FuzzReadReports feeds certlint merge and --baseline arbitrary files: a
// report that decodes must then render in every output format and diff
// against itself and the previous one without a panic, because merge
// renders whatever the shard files hold.
func FuzzReadReports(f *testing.F) {
	// Small seeds: an interesting input grown from a 60 KB report such as
	// testdata/bing-2019.json takes the fuzzer its whole minimizing budget
	// (a minute by default, no execution meanwhile); the shard examples
	// hold every part of a report already.
	for _, path := range []string{"testdata/error.json", "../../examples/shard-1.json", "../../examples/shard-2.jsonl"} {
		data, err := os.ReadFile(filepath.FromSlash(path))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"schema":"certlint/v1","target":"x","devices":[{"device":"d","findings":[{"check":"cert-size","severity":"fail","cert_index":7}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []report.TargetReport
		if err := report.ReadReports(bytes.NewReader(data), func(tr report.TargetReport) error {
			got = append(got, tr)
			return nil
		}); err != nil {
			return
		}
		_, _ = report.ReadBaseline(bytes.NewReader(data))
		for _, format := range report.Formats() {
			s, err := report.NewStream(io.Discard, format, report.Options{Text: report.TextOptions{Verbose: true}})
			if err != nil {
				t.Fatal(err)
			}
			s.SetBaseline(&report.Report{Reports: got})
			for _, tr := range got {
				if err := s.Add(tr); err != nil {
					t.Fatalf("%s: %v", format, err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
		}
		for i := 1; i < len(got); i++ {
			report.DiffTarget(&got[i-1], got[i])
		}
	})
}
