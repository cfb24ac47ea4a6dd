package constraints

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// docsDir holds the contracts users code against (profile keys, check IDs).
var docsDir = filepath.Join("..", "..", "docs")

// profileKeyPaths lists every YAML key path of a profile (tls.versions,
// sources.<field>[].ref), from the Profile struct itself.
func profileKeyPaths() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			path := prefix + name
			if f.Type.Kind() == reflect.Struct { // a section: tls, certificates, ...
				walk(f.Type, path+".")
				continue
			}
			out = append(out, path)
			if name == "sources" {
				walk(reflect.TypeOf(SourceRef{}), "sources.<field>[].")
			}
		}
	}
	walk(reflect.TypeOf(Profile{}), "")
	return append(out, "variants")
}

// TestProfileReferenceListsEveryKey fails when a key of the Profile struct
// is missing from docs/profile-reference.md: a key added to the loader must
// be documented (meaning, unit, default, example) in the same change.
func TestProfileReferenceListsEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(docsDir, "profile-reference.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, path := range profileKeyPaths() {
		if !strings.Contains(doc, "| `"+path+"` |") {
			t.Errorf("docs/profile-reference.md has no table row for the profile key `%s`", path)
		}
	}
	if !strings.Contains(doc, "| `certificates.max_cert_bytes` |") || len(profileKeyPaths()) < 40 {
		t.Fatalf("the key walk found only %d keys: %v", len(profileKeyPaths()), profileKeyPaths())
	}
}

// TestChecksDocMatchesRegistry fails when docs/checks.md lacks a check, or
// its row differs from the check's Description() and Fields().
func TestChecksDocMatchesRegistry(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(docsDir, "checks.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if id, rest, ok := strings.Cut(line, "` | "); ok && strings.HasPrefix(id, "| `") {
			rows[strings.TrimPrefix(id, "| `")] = rest
		}
	}
	for _, c := range Checks() {
		row, ok := rows[c.ID()]
		if !ok {
			t.Errorf("docs/checks.md has no row for check %q", c.ID())
			continue
		}
		fields := "—"
		if len(c.Fields()) > 0 {
			fields = "`" + strings.Join(c.Fields(), "`, `") + "`"
		}
		if want := c.Description() + " | " + fields + " |"; row != want {
			t.Errorf("docs/checks.md row of %s:\n got %s\nwant %s", c.ID(), row, want)
		}
		delete(rows, c.ID())
	}
	for id := range rows {
		t.Errorf("docs/checks.md lists %q, which is not a registered check", id)
	}
}

// TestREADMEListsEveryCheck: the README's summary table of checks names
// every registered check (docs/checks.md has the full rows).
func TestREADMEListsEveryCheck(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(docsDir, "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Checks() {
		if !strings.Contains(string(data), "| `"+c.ID()+"` |") {
			t.Errorf("README.md's table of checks has no row for %q", c.ID())
		}
	}
}
