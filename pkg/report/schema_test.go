package report_test

import (
	"testing"

	"github.com/certlint/certlint/internal/schematest"
	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/explain"
	"github.com/certlint/certlint/pkg/report"
)

// TestSchemaDocumentsEveryField: every JSON field of the report types is
// described in docs/schema/certlint-v1.json, so a field added to the
// report is added to the published contract in the same change.
func TestSchemaDocumentsEveryField(t *testing.T) {
	for name, v := range map[string]interface{}{
		schematest.Report: report.Report{},
		"targetReport":    report.TargetReport{},
		"cert":            report.Cert{},
		"device":          report.DeviceReport{},
		"tls":             report.TLS{},
		"finding":         constraints.Finding{},
		"change":          report.Change{},
		"explain":         struct{ *explain.Answer }{},
		"explainEntry":    explain.Entry{},
	} {
		missing, err := schematest.Undocumented(v, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range missing {
			t.Errorf("%T field %q is not in docs/schema/certlint-v1.json (%q)", v, f, name)
		}
	}
}
