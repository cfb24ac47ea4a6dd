// Package schematest validates certlint's JSON output against the contract
// users code against, docs/schema/certlint-v1.json. It is used by tests
// only: the report goldens, the CLI stories and the schema's own tests.
package schematest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ID is the schema's $id; documents are validated against ID#/$defs/NAME
// for the outputs other than the check report.
const ID = "https://github.com/certlint/certlint/docs/schema/certlint-v1.json"

// Report names the check report (the schema's root); the other names are
// the schema's $defs: explain, profiles, profile, root.
const Report = ""

// Path is the schema file in the repository, found from this source file
// so that tests of any package (and CLI stories run from a temporary
// directory) read the same file.
func Path() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..", "docs", "schema", "certlint-v1.json")
}

var (
	mu       sync.Mutex
	compiled = map[string]*jsonschema.Schema{}
)

// Validate checks data (one JSON document) against the named part of the
// schema: Report for `check -o json` and baselines, or a $defs name.
func Validate(data []byte, name string) error {
	sch, err := schema(name)
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := sch.Validate(doc); err != nil {
		return fmt.Errorf("does not match %s: %v", filepath.Base(Path())+location(name), err)
	}
	return nil
}

func location(name string) string {
	if name == Report {
		return ""
	}
	return "#/$defs/" + name
}

func schema(name string) (*jsonschema.Schema, error) {
	mu.Lock()
	defer mu.Unlock()
	if s, ok := compiled[name]; ok {
		return s, nil
	}
	raw, err := os.ReadFile(Path())
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Path(), err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(ID, doc); err != nil {
		return nil, err
	}
	s, err := c.Compile(ID + location(name))
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", Path(), err)
	}
	compiled[name] = s
	return s, nil
}
