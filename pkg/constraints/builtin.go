package constraints

import (
	"io/fs"
	"sync"

	"github.com/certlint/certlint/profiles"
)

// The built-in profiles are decoded and validated at build time, not at
// every start: builtin_snapshot.go (written by `go test ./pkg/constraints
// -update`) holds every built-in profile and variant as Go values, which
// costs nothing to load, where parsing and validating the YAML took
// 3.5-4.5 ms, a quarter of a one-target run. The YAML files stay the source
// of truth: TestBuiltinSnapshotUpToDate regenerates the snapshot from them
// and fails until the file is rewritten. A run trusts the snapshot: hashing
// the embedded YAML at every start to detect a stale one cost more than
// the rest of an offline check.

// The root stores (profiles/stores/*.yaml, trust.store) are in the
// snapshot too: parsing the two a -d all run needs took 40 ms.

// builtinSnapshot builds the profiles on first use, not at package init:
// as a package-level variable the snapshot's maps were filled at every
// start (0.16 ms, 116 KB), also by runs that load no profile (certlint
// version, explain). The root-store map stays a variable: three entries
// around data the linker lays out, nothing to build.
var builtinSnapshot = sync.OnceValue(builtinSnapshotDocs)

// snapshotDoc is one built-in profile file as the snapshot holds it.
type snapshotDoc struct {
	name     string              // file name in profiles.FS
	id       string              // profile id
	aliases  []string            // its aliases
	order    []string            // variant names in file order
	profiles map[string]*Profile // decoded profile per variant; "" is the base
}

// LoadBuiltin returns the profiles embedded in the binary, from the
// build-time snapshot. The error is always nil; it is kept so callers
// need not change if loading ever can fail again.
func LoadBuiltin() (*Registry, error) {
	return snapshotRegistry(builtinSnapshot()), nil
}

// snapshotRegistry is the registry of the built-in snapshot. Its YAML node
// trees are parsed only when a custom profile extends a built-in one.
func snapshotRegistry(docs []snapshotDoc) *Registry {
	r := &Registry{docs: map[string]*profileDoc{}, alias: map[string]string{}}
	for _, d := range docs {
		r.docs[d.id] = &profileDoc{file: "profiles/" + d.name, fsName: d.name, id: d.id, aliases: d.aliases, order: d.order, snapshot: d.profiles}
		r.order = append(r.order, d.id)
		for _, a := range d.aliases {
			r.alias[a] = d.id
		}
	}
	return r
}

// nodes parses a snapshot document's YAML when its node tree is needed
// (a custom profile extends it).
func (r *Registry) nodes(doc *profileDoc) error {
	if doc.root != nil || doc.fsName == "" {
		return nil
	}
	data, err := fs.ReadFile(profiles.FS, doc.fsName)
	if err != nil {
		return err
	}
	parsed, errs := r.parse(doc.file, data)
	if len(errs) > 0 {
		return errs
	}
	doc.root, doc.variants = parsed.root, parsed.variants
	return nil
}

// boolPtr is how the snapshot spells a *bool that is set.
func boolPtr(b bool) *bool { return &b }
