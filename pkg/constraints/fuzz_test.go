package constraints

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/certlint/certlint/profiles"
)

// FuzzProfile feeds arbitrary YAML to the profile loader, which reads
// --profile-file files a customer may send: it may refuse them with
// errors, never panic, and a profile it accepts must be selectable and
// give a ClientHello spec.
func FuzzProfile(f *testing.F) {
	for _, dir := range []string{"testdata/profiles"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
				f.Add(data)
			}
		}
	}
	names, err := profiles.FS.ReadDir(".")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range names {
		data, err := profiles.FS.ReadFile(e.Name())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("id: custom\nextends: spwf04\nlimits:\n  max_cert_bytes: 1024\n"))
	f.Add([]byte("id: loop\nextends: loop\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("id: x\nvariants:\n  v1:\n    tls:\n      versions: [tls1.2]\n"))
	base, err := LoadBuiltin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A copy of the built-in registry per input, so an accepted profile
		// does not leak into the next one; the documents themselves are
		// only read (extends merges into a copy).
		r := &Registry{docs: maps.Clone(base.docs), alias: maps.Clone(base.alias), order: slices.Clone(base.order)}
		before := len(r.IDs())
		if err := r.add("fuzz.yaml", data); err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		ids := r.IDs()
		if len(ids) != before+1 {
			t.Fatalf("profile accepted but IDs went from %d to %d", before, len(ids))
		}
		p, err := r.Get(ids[len(ids)-1])
		if err != nil {
			return // e.g. a profile whose extends cannot be resolved at selection
		}
		_ = p.Selector()
		_ = p.HelloSpec().Validate()
		_ = p.HelloSpec().Key()
	})
}
