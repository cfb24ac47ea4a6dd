package constraints

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/certlint/certlint/pkg/chain"
)

// ProfileError is one problem in a profile file, with its position.
type ProfileError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e ProfileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// ProfileErrors is every problem found in one profile file.
type ProfileErrors []ProfileError

func (errs ProfileErrors) Error() string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// OneLine shortens the problems of a profile file to one line for the
// commands that load it (check, root): the first problem and where to see
// them all. Other errors pass unchanged.
func OneLine(err error) error {
	var errs ProfileErrors
	if errors.As(err, &errs) && len(errs) > 1 {
		return fmt.Errorf("%v (and %d more problems: certlint profiles validate %s lists them all)", errs[0], len(errs)-1, errs[0].File)
	}
	return err
}

// profileDoc is one profile file as parsed YAML, kept as a node tree so that
// variants and extends can be merged before decoding, and so that every
// problem can be reported with its line.
type profileDoc struct {
	file     string
	id       string
	aliases  []string
	root     *yaml.Node // mapping without the variants key
	variants map[string]*yaml.Node
	order    []string // variant names in file order
	// snapshot is the decoded profile per variant ("" = base) of a
	// built-in profile taken from the build-time snapshot (builtin.go);
	// root and variants stay nil until nodes parses fsName.
	snapshot map[string]*Profile
	fsName   string
}

// Registry holds every profile certlint can select: the built-in ones and
// any the user adds with --profile-file.
type Registry struct {
	docs  map[string]*profileDoc
	alias map[string]string
	order []string
}

// LoadFS reads every *.yaml profile at the top of fsys, in name order;
// prefix is prepended to file names in error messages.
func LoadFS(fsys fs.FS, prefix string) (*Registry, error) {
	r := &Registry{docs: map[string]*profileDoc{}, alias: map[string]string{}}
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := r.add(prefix+name, data); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// AddFile loads a custom profile (--profile-file). A profile with
// `extends: ID` starts from that profile and overrides only what it sets.
func (r *Registry) AddFile(file string) error {
	data, err := readProfileFile(file)
	if err != nil {
		return err
	}
	return r.add(file, data)
}

func (r *Registry) add(file string, data []byte) error {
	doc, errs := r.parse(file, data)
	if len(errs) > 0 {
		return errs
	}
	if _, dup := r.docs[doc.id]; dup {
		return ProfileError{File: file, Msg: fmt.Sprintf("profile id %q is already defined", doc.id)}
	}
	r.docs[doc.id] = doc
	r.order = append(r.order, doc.id)
	for _, a := range doc.aliases {
		r.alias[a] = doc.id
	}
	return nil
}

// ValidateFile checks a profile file the way --profile-file would load it
// and returns every problem found, each with file:line:column.
func (r *Registry) ValidateFile(file string) error {
	data, err := readProfileFile(file)
	if err != nil {
		return err
	}
	if _, errs := r.parse(file, data); len(errs) > 0 {
		return errs
	}
	return nil
}

// readProfileFile reads a profile file, with an error that names it once.
func readProfileFile(file string) ([]byte, error) {
	if st, err := os.Stat(file); err == nil && st.IsDir() {
		return nil, fmt.Errorf("profile %s is a directory; give the profile files (%s)", file, filepath.Join(file, "*.yaml"))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return data, nil
}

// parse reads one profile file, resolves extends, and validates keys,
// types and values of the base profile and of every variant.
func (r *Registry) parse(file string, data []byte) (*profileDoc, ProfileErrors) {
	var top yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		return nil, ProfileErrors{yamlError(file, err)}
	}
	if top.Kind != yaml.DocumentNode || len(top.Content) == 0 || top.Content[0].Kind != yaml.MappingNode {
		return nil, ProfileErrors{{File: file, Line: top.Line, Column: top.Column, Msg: "a profile must be a YAML mapping (id: …, name: …)"}}
	}
	root := top.Content[0]
	doc := &profileDoc{file: file, variants: map[string]*yaml.Node{}}
	v := &validator{file: file}
	if vnode := takeKey(root, "variants"); vnode != nil {
		v.variants(vnode, doc)
	}
	if ext := mapValue(root, "extends"); ext != nil {
		base, err := r.resolveExtends(ext.Value)
		if err != nil {
			v.errorf(ext, "%v", err)
		} else {
			root = mergeNodes(base, root)
		}
	}
	doc.root = root
	v.profile(root, "")
	for _, name := range doc.order {
		v.profile(mergeNodes(root, doc.variants[name]), "variants."+name+".")
	}
	r.identity(v, root)
	var p Profile
	if len(v.errs) == 0 {
		if err := root.Decode(&p); err != nil {
			v.errs = append(v.errs, yamlError(file, err))
		}
	}
	if len(v.errs) > 0 {
		// Problems come out in file order, whatever order they were found in.
		sort.SliceStable(v.errs, func(i, j int) bool {
			a, b := v.errs[i], v.errs[j]
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Column < b.Column
		})
		return nil, v.errs
	}
	doc.id, doc.aliases = p.ID, p.Aliases
	return doc, nil
}

// identity refuses a profile whose id or aliases would shadow a profile
// already loaded (a built-in one, for a custom file): --device would
// otherwise select one of the two silently.
func (r *Registry) identity(v *validator, root *yaml.Node) {
	// A registered profile parsed again (built-ins are parsed on first
	// use) does not shadow itself.
	other := func(id string) bool { doc, ok := r.docs[id]; return ok && doc.file != v.file }
	owner := func(name string) string {
		name = strings.ToLower(name)
		if id, ok := r.alias[name]; ok && other(id) {
			return "an alias of the profile " + id
		}
		if other(name) {
			return "the id of the profile in " + r.docs[name].file
		}
		return ""
	}
	if id := mapValue(root, "id"); id != nil && id.Kind == yaml.ScalarNode {
		if o := owner(id.Value); o != "" {
			v.errorf(id, "id %q is already %s; choose another id (extends: %s starts from it)", id.Value, o, id.Value)
		}
	}
	for _, a := range seqAt(root, "aliases") {
		if o := owner(a.Value); o != "" {
			v.errorf(a, "alias %q is already %s; a custom profile may not take it over", a.Value, o)
		}
	}
}

// resolveExtends returns the merged node tree of a registered profile,
// with its variant applied when the selector names one.
func (r *Registry) resolveExtends(selector string) (*yaml.Node, error) {
	doc, variant, err := r.lookup(selector)
	if err != nil {
		return nil, fmt.Errorf("extends: %w", err)
	}
	if err := r.nodes(doc); err != nil {
		return nil, fmt.Errorf("extends %s: %w", selector, err)
	}
	root := mergeNodes(doc.root, nil)
	if variant != "" {
		root = mergeNodes(root, doc.variants[variant])
	}
	// A profile that extends another is a new device: it must not inherit
	// the base's identity.
	for _, key := range []string{"id", "aliases"} {
		takeKey(root, key)
	}
	return root, nil
}

// lookup finds the profile document and variant name for a selector such as
// spwf04, spwf04sa or spwf04@1.0.
func (r *Registry) lookup(selector string) (*profileDoc, string, error) {
	id, variant, _ := strings.Cut(strings.ToLower(strings.TrimSpace(selector)), "@")
	if real, ok := r.alias[id]; ok {
		id = real
	}
	doc, ok := r.docs[id]
	if !ok {
		return nil, "", fmt.Errorf("unknown device %q; known devices: %s", selector, strings.Join(r.IDs(), ", "))
	}
	if variant != "" {
		if !slices.Contains(doc.order, variant) {
			known := "none"
			if len(doc.order) > 0 {
				known = id + "@" + strings.Join(doc.order, ", "+id+"@")
			}
			return nil, "", fmt.Errorf("device %s has no firmware variant %q; variants: %s", id, variant, known)
		}
	}
	return doc, variant, nil
}

// Get returns the profile for a selector: an ID or alias, optionally with
// @variant (spwf04@1.0). Without a variant it is the newest known firmware.
func (r *Registry) Get(selector string) (*Profile, error) {
	doc, variant, err := r.lookup(selector)
	if err != nil {
		return nil, err
	}
	if snap := doc.snapshot[variant]; snap != nil {
		p := *snap // the snapshot's slices and maps are shared: read-only
		p.Variant, p.Variants = variant, doc.order
		return &p, nil
	}
	root := doc.root
	if variant != "" {
		root = mergeNodes(root, doc.variants[variant])
	}
	var p Profile
	if err := root.Decode(&p); err != nil {
		return nil, yamlError(doc.file, err)
	}
	p.Variant = variant
	p.Variants = doc.order
	return &p, nil
}

// Select resolves --device values: each may be a comma list; "all" (also the
// default, when the list is empty) selects every profile in its newest firmware.
func (r *Registry) Select(values []string) ([]*Profile, error) {
	var selectors []string
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				selectors = append(selectors, s)
			}
		}
	}
	if len(selectors) == 0 {
		selectors = []string{"all"}
	}
	var out []*Profile
	seen := map[string]bool{}
	for _, s := range selectors {
		list := []string{s}
		if strings.EqualFold(s, "all") {
			list = r.IDs()
		}
		for _, sel := range list {
			p, err := r.Get(sel)
			if err != nil {
				return nil, err
			}
			if !seen[p.Selector()] {
				seen[p.Selector()] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// IDs lists the profile IDs in load order (built-in ones sorted by file name).
func (r *Registry) IDs() []string { return append([]string(nil), r.order...) }

// validator collects problems of one profile file.
type validator struct {
	file string
	errs ProfileErrors
}

func (v *validator) errorf(n *yaml.Node, format string, args ...interface{}) {
	v.errs = append(v.errs, ProfileError{File: v.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) variants(n *yaml.Node, doc *profileDoc) {
	if n.Kind != yaml.MappingNode {
		v.errorf(n, "variants must be a mapping of firmware name to overrides")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if val.Kind != yaml.MappingNode {
			v.errorf(val, "variant %q must be a mapping of overridden keys", k.Value)
			continue
		}
		if mapValue(val, "id") != nil || mapValue(val, "variants") != nil {
			v.errorf(val, "variant %q may not change id or define variants", k.Value)
		}
		doc.variants[k.Value] = val
		doc.order = append(doc.order, k.Value)
	}
}

// profile validates keys against the Profile struct, then the values, so
// that one run reports every problem of the file.
func (v *validator) profile(root *yaml.Node, prefix string) {
	v.keys(root, reflect.TypeOf(Profile{}), prefix)
	v.values(root, prefix)
}

// keys reports every key that the struct type does not have, and values of
// the wrong YAML kind, so a typo is found with its line.
func (v *validator) keys(n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			v.errorf(n, "%s must be a mapping", strings.TrimSuffix(path, "."))
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			f, ok := fields[k.Value]
			if !ok {
				v.errorf(k, "unknown key %q in %s (known: %s)", k.Value, sectionName(path), strings.Join(sortedKeys(fields), ", "))
				continue
			}
			v.keys(n.Content[i+1], f.Type, path+k.Value+".")
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			v.errorf(n, "%s must be a mapping", strings.TrimSuffix(path, "."))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v.keys(n.Content[i+1], t.Elem(), path+n.Content[i].Value+".")
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			v.errorf(n, "%s must be a list", strings.TrimSuffix(path, "."))
			return
		}
		for _, item := range n.Content {
			v.keys(item, t.Elem(), path)
		}
	default:
		if n.Kind != yaml.ScalarNode {
			v.errorf(n, "%s must be a single value", strings.TrimSuffix(path, "."))
			return
		}
		var probe = reflect.New(t)
		if err := n.Decode(probe.Interface()); err != nil {
			v.errorf(n, "%s: %q is not a valid %s", strings.TrimSuffix(path, "."), n.Value, t.Kind())
		}
	}
}

func sectionName(path string) string {
	if path == "" {
		return "the profile"
	}
	return strings.TrimSuffix(path, ".")
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	fields := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || name == "" {
			continue
		}
		fields[name] = f
	}
	if t == reflect.TypeOf(Profile{}) {
		// variants is taken out before validation; list it so a typo's
		// message shows every key a profile may have.
		fields["variants"] = reflect.StructField{Type: reflect.TypeOf(map[string]Profile{})}
	}
	return fields
}

func sortedKeys(m map[string]reflect.StructField) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// vocabulary lists the values a field may take; "" = any string.
var vocabulary = map[string][]string{
	"certificates.key_types":        {"rsa", "ecdsa", "ed25519"},
	"certificates.ec_curves":        {"P-256", "P-384", "P-521"},
	"certificates.signature_hashes": {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "ed25519"},
	"trust.model":                   {"loaded-ca", "builtin-store", "none"},
	"trust.store":                   StoreNames(),
	"trust.ca_formats":              {"der", "pem"},
	"trust.ca_ski_auto_formats":     {"der", "pem"},
	"tls.hello_version":             chain.VersionProfileNames(),
	"tls.max_version":               chain.VersionProfileNames(),
	"tls.record_version":            chain.RecordVersionProfileNames(),
	"tls.compression":               chain.CompressionMethodNames(),
	"tls.extensions":                chain.ExtensionNames(),
	"tls.signature_algorithms":      chain.SignatureAlgorithmNames(),
	"tls.hello_known":               chain.HelloKnowledgeNames(),
	"receive.message_count":         {CountWithHeader, CountBody},
	"trust.path_order":              chain.PathOrders,
	"trust.anchor_match":            chain.AnchorMatches,
}

// values checks what keys() cannot: names certlint must recognise, sizes
// that cannot be negative, citations with a known confidence.
func (v *validator) values(root *yaml.Node, prefix string) {
	if id := mapValue(root, "id"); id == nil || id.Value == "" {
		if prefix == "" {
			v.errorf(root, "missing id (lower-case letters, digits and -; what --device takes)")
		}
	} else if !validID(id.Value) {
		v.errorf(id, "id %q may hold only a-z, 0-9 and -", id.Value)
	}
	for _, item := range seqAt(root, "tls", "versions") {
		if _, ok := chain.VersionByProfileName(item.Value); !ok {
			v.errorf(item, "unknown TLS version %q (known: %s)", item.Value, strings.Join(chain.VersionProfileNames(), ", "))
		}
	}
	for _, item := range seqAt(root, "tls", "cipher_suites") {
		if _, ok := chain.CipherSuiteByName(item.Value); !ok {
			v.errorf(item, "unknown cipher suite %q: certlint cannot send it (use the IANA name, e.g. TLS_RSA_WITH_AES_128_CBC_SHA)", item.Value)
		}
	}
	for _, item := range seqAt(root, "tls", "curves") {
		if _, ok := chain.CurveByName(item.Value); !ok {
			v.errorf(item, "unknown curve %q (known: %s)", item.Value, strings.Join(chain.CurveNames(), ", "))
		}
	}
	for _, field := range slices.Sorted(maps.Keys(vocabulary)) {
		allowed := vocabulary[field]
		section, key, _ := strings.Cut(field, ".")
		nodes := seqAt(root, section, key)
		if n := nodeAt(root, section, key); n != nil && n.Kind == yaml.ScalarNode {
			nodes = []*yaml.Node{n}
		}
		for _, item := range nodes {
			if !slices.Contains(allowed, item.Value) {
				v.errorf(item, "%s%s: unknown value %q (known: %s)", prefix, field, item.Value, strings.Join(allowed, ", "))
			}
		}
	}
	v.rootTemplates(root, prefix)
	v.nonNegative(root, prefix)
	v.pinMethods(root, prefix)
	v.helloRules(root, prefix)
	v.receiveRules(root, prefix)
	v.sources(root)
}

func (v *validator) nonNegative(root *yaml.Node, prefix string) {
	for _, section := range []string{"certificates", "trust", "client", "receive"} {
		sec := mapValue(root, section)
		if sec == nil || sec.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(sec.Content); i += 2 {
			val := sec.Content[i+1]
			if val.Tag == "!!int" && strings.HasPrefix(val.Value, "-") {
				v.errorf(val, "%s%s.%s must not be negative (0 means no known limit)", prefix, section, sec.Content[i].Value)
			}
		}
	}
}

func (v *validator) sources(root *yaml.Node) {
	src := mapValue(root, "sources")
	if src == nil {
		return
	}
	for i := 0; i+1 < len(src.Content); i += 2 {
		key := src.Content[i]
		if !knownFieldPath(key.Value) {
			v.errorf(key, "sources: %q is not a profile field (use a path such as certificates.max_cert_bytes)", key.Value)
		}
		for _, ref := range src.Content[i+1].Content {
			if c := mapValue(ref, "confidence"); c != nil && !slices.Contains(Confidences, c.Value) {
				v.errorf(c, "unknown confidence %q (known: %s)", c.Value, strings.Join(Confidences, ", "))
			}
		}
	}
}

// knownFieldPath reports whether a dotted path names a field of Profile.
func knownFieldPath(p string) bool {
	t := reflect.TypeOf(Profile{})
	for _, part := range strings.Split(p, ".") {
		if t.Kind() == reflect.Map {
			t = t.Elem()
			continue
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return false
		}
		f, ok := yamlFields(t)[part]
		if !ok {
			return false
		}
		t = f.Type
	}
	return true
}

func validID(id string) bool {
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return id != ""
}

// mapValue returns the value node of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// nodeAt follows keys through nested mappings.
func nodeAt(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = mapValue(n, k)
	}
	return n
}

// seqAt returns the items of the list at keys, or nil.
func seqAt(n *yaml.Node, keys ...string) []*yaml.Node {
	if n = nodeAt(n, keys...); n != nil && n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return nil
}

// takeKey removes key from a mapping node and returns its value, or nil.
func takeKey(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			val := n.Content[i+1]
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			return val
		}
	}
	return nil
}

// mergeNodes returns a deep copy of base with overlay applied: mappings
// merge key by key, anything else in overlay replaces what base had. A
// variant or an extending profile thus names only what differs.
func mergeNodes(base, overlay *yaml.Node) *yaml.Node {
	out := copyNode(base)
	if overlay == nil {
		return out
	}
	if out.Kind != yaml.MappingNode || overlay.Kind != yaml.MappingNode {
		return copyNode(overlay)
	}
	for i := 0; i+1 < len(overlay.Content); i += 2 {
		k, val := overlay.Content[i], overlay.Content[i+1]
		if existing := mapValue(out, k.Value); existing != nil {
			*existing = *mergeNodes(existing, val)
			continue
		}
		out.Content = append(out.Content, copyNode(k), copyNode(val))
	}
	return out
}

func copyNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, child := range n.Content {
		c.Content[i] = copyNode(child)
	}
	return &c
}

// yamlError turns a yaml.v3 error ("yaml: line 3: …") into a ProfileError.
func yamlError(file string, err error) ProfileError {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		_, rest, _ := strings.Cut(msg, ":")
		return ProfileError{File: file, Line: line, Column: 1, Msg: strings.TrimSpace(rest)}
	}
	return ProfileError{File: file, Msg: msg}
}

// rootTemplates renders the root-loading templates with sample data, so a
// typo in a field name is reported with its line, not when a user runs
// certlint root.
func (v *validator) rootTemplates(root *yaml.Node, prefix string) {
	nodes := seqAt(root, "trust", "load_steps")
	if n := nodeAt(root, "trust", "load_snippet"); n != nil && n.Kind == yaml.ScalarNode {
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		if _, err := renderStep(n.Value, sampleRootStepData); err != nil {
			v.errorf(n, "%strust root-loading template: %v", prefix, err)
		}
	}
}
