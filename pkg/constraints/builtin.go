package constraints

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"sync"

	"github.com/certlint/certlint/profiles"
)

// The built-in profiles are decoded and validated at build time, not at
// every start: builtin_snapshot.go (written by `go test ./pkg/constraints
// -update`) holds every built-in profile and variant as Go values, which
// costs nothing to load, where parsing and validating the YAML took
// 3.5-4.5 ms, a quarter of a one-target run. The YAML files stay the source
// of truth: the snapshot records the SHA-256 of the files it was made
// from, LoadBuiltin falls back to the YAML when they differ (a stale
// snapshot is slower, never wrong), and a test fails until it is rewritten.

// The root stores (profiles/stores/*.yaml, trust.store) are in the
// snapshot too: parsing the two a -d all run needs took 40 ms.

// snapshotDoc is one built-in profile file as the snapshot holds it.
type snapshotDoc struct {
	name     string              // file name in profiles.FS
	id       string              // profile id
	aliases  []string            // its aliases
	order    []string            // variant names in file order
	profiles map[string]*Profile // decoded profile per variant; "" is the base
}

// LoadBuiltin returns the profiles embedded in the binary.
func LoadBuiltin() (*Registry, error) {
	if sum, err := profilesSum(profiles.FS, "*.yaml"); err == nil && sum == builtinSnapshotSum {
		return snapshotRegistry(builtinSnapshot), nil
	}
	return LoadFS(profiles.FS, "profiles/")
}

var (
	storesSnapshotOnce sync.Once
	storesSnapshotOK   bool
)

// snapshotStore returns the snapshot's root store of that name, or nil
// when the snapshot has none or is stale.
func snapshotStore(name string) *RootStore {
	storesSnapshotOnce.Do(func() {
		sum, err := profilesSum(profiles.Stores, "stores/*.yaml")
		storesSnapshotOK = err == nil && sum == builtinStoresSum
	})
	if !storesSnapshotOK {
		return nil
	}
	return builtinStores[name]
}

// profilesSum is the SHA-256 over the names and contents of every file
// matching pattern in fsys, in name order.
func profilesSum(fsys fs.FS, pattern string) (string, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
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
