package schematest

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryJSONGolden validates every certlint/v1 document checked in
// under a testdata directory of the repository (report goldens, baselines, profile, explain and root goldens),
// so a golden regenerated with -update cannot drift from the contract.
func TestEveryJSONGolden(t *testing.T) {
	repo := filepath.Join(filepath.Dir(Path()), "..", "..")
	n := 0
	err := filepath.WalkDir(repo, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") || !strings.Contains(filepath.ToSlash(path), "/testdata/") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Contains(data, []byte(`"schema": "certlint/v1"`)) {
			return nil
		}
		n++
		if err := Validate(data, partOf(data)); err != nil {
			rel, _ := filepath.Rel(repo, path)
			t.Errorf("%s: %v", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("found no certlint/v1 JSON file under any testdata directory")
	}
}

// partOf names the schema part a checked-in document is: the profile
// list, one profile, an explain answer, the explain code list, a root
// export, or (everything else) a check report.
func partOf(data []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return Report
	}
	switch {
	case top["profiles"] != nil:
		return "profiles"
	case top["selector"] != nil:
		return "profile"
	case top["matched_by"] != nil:
		return "explain"
	case top["families"] != nil:
		return "explainList"
	case top["device"] != nil:
		return "root"
	}
	return Report
}

// TestSchemaBites makes sure the validation can fail: documents that break
// the contract in different ways are refused.
func TestSchemaBites(t *testing.T) {
	for name, doc := range map[string]string{
		"other schema":       `{"schema": "certlint/v2", "verdict": "pass", "reports": []}`,
		"unknown verdict":    `{"schema": "certlint/v1", "verdict": "ok", "reports": []}`,
		"report without key": `{"schema": "certlint/v1", "verdict": "pass", "reports": [{"target": "x"}]}`,
		"bad timestamp": `{"schema": "certlint/v1", "verdict": "error", "reports": [{"target": "x", "host": "", "port": 0, "servername": "",
			"cnames": [], "address": "", "checked_at": "yesterday", "chain": [], "devices": [], "verdict": "error", "error": "e", "changes": []}]}`,
	} {
		if err := Validate([]byte(doc), Report); err == nil {
			t.Errorf("%s: the schema accepted %s", name, doc)
		}
	}
	ok := `{"schema": "certlint/v1", "verdict": "error", "reports": [{"target": "x", "host": "", "port": 0, "servername": "",
		"cnames": [], "address": "", "checked_at": "2019-05-03T10:00:00Z", "chain": [], "devices": [], "verdict": "error", "error": "e", "changes": []}]}`
	if err := Validate([]byte(ok), Report); err != nil {
		t.Errorf("the schema refused a valid error report: %v", err)
	}
}
