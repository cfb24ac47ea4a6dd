// Package schematest validates certlint's JSON output against the contract
// users code against, docs/schema/certlint-v1.json. It is used by tests
// only: the report goldens, the CLI stories and the schema's own tests.
package schematest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
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

// Undocumented returns the JSON fields of the struct value v that the
// schema's part name (Report or a $defs name) does not describe, so a test
// can require every field of an output to be in the published contract.
func Undocumented(v interface{}, name string) ([]string, error) {
	raw, err := os.ReadFile(Path())
	if err != nil {
		return nil, err
	}
	var doc struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	props := doc.Properties
	if name != Report {
		props = doc.Defs[name].Properties
	}
	if len(props) == 0 {
		return nil, fmt.Errorf("the schema describes no properties at %s", location(name))
	}
	var missing []string
	for _, f := range jsonFields(reflect.TypeOf(v)) {
		if _, ok := props[f]; !ok {
			missing = append(missing, f)
		}
	}
	return missing, nil
}

// jsonFields lists the JSON names of a struct's fields (embedded structs
// flattened), skipping fields left out of JSON.
func jsonFields(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || (!f.IsExported() && !f.Anonymous):
		case f.Anonymous && name == "":
			out = append(out, jsonFields(f.Type)...)
		case name == "":
			out = append(out, f.Name)
		default:
			out = append(out, name)
		}
	}
	return out
}
