package constraints

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRootStepTemplates: a profile's root-loading templates render with
// the root's fields, and a field that does not exist is refused when the
// profile loads, with its line.
func TestRootStepTemplates(t *testing.T) {
	p := testProfile()
	p.Trust.LoadSteps = []string{"store {{.Format}} as {{.FileName}} ({{.Bytes}} bytes, SKI {{.SKIColon}})"}
	p.Trust.LoadSnippet = "AT+S.TLSCERT=ca,{{.DERBytes}}\n"
	steps, snippet, err := p.RootSteps(RootStepData{Format: "DER", FileName: "e59d.ca", Bytes: 891, SKIColon: "E5:9D", DERBytes: 891})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 1 || steps[0] != "store DER as e59d.ca (891 bytes, SKI E5:9D)" || snippet != "AT+S.TLSCERT=ca,891" {
		t.Errorf("steps %q, snippet %q", steps, snippet)
	}

	reg, err := LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "board.yaml")
	bad := "id: board\nname: Board\nextends: spwf04\ntrust:\n  load_steps:\n    - \"upload {{.FileNmae}}\"\n"
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	err = reg.ValidateFile(file)
	if err == nil || !strings.Contains(err.Error(), "board.yaml:6:7: trust root-loading template") || !strings.Contains(err.Error(), "FileNmae") {
		t.Errorf("a misspelt template field: %v", err)
	}
}
