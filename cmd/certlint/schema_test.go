package main

import (
	"testing"

	"github.com/certlint/certlint/internal/schematest"
	"github.com/certlint/certlint/pkg/explain"
)

// TestSchemaDocumentsCommandOutputs: every JSON field that root and
// explain write is described in docs/schema/certlint-v1.json.
func TestSchemaDocumentsCommandOutputs(t *testing.T) {
	for name, v := range map[string]interface{}{
		"root":         rootJSON{},
		"explain":      struct{ *explain.Answer }{},
		"explainEntry": explain.Entry{},
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
