package rootexport

import (
	"testing"

	"github.com/certlint/certlint/internal/schematest"
)

// TestSchemaDocumentsRoot: every JSON field `certlint root -o json` writes
// is described in docs/schema/certlint-v1.json.
func TestSchemaDocumentsRoot(t *testing.T) {
	missing, err := schematest.Undocumented(rootJSON{}, "root")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range missing {
		t.Errorf("rootJSON field %q is not in docs/schema/certlint-v1.json (root)", f)
	}
}
