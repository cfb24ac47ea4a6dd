// Package explain maps what a device prints when TLS fails (an AT response,
// an OSError, a SimpleLink return code) to its meaning, its likely cause, the
// certlint checks that detect that cause, and the fix. The mapping is data:
// one YAML file per device family under codes/, embedded, every entry citing
// its sources with a confidence. Adding a code is editing YAML, not Go.
package explain

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed codes/*.yaml
var codesFS embed.FS

// Source cites where an entry's meaning comes from and how sure it is, with
// the same confidence words as the device profiles.
type Source struct {
	Ref        string `yaml:"ref" json:"ref"`
	URL        string `yaml:"url" json:"url,omitempty"`
	Confidence string `yaml:"confidence" json:"confidence"`
}

// Entry is one thing a device prints and what it means.
type Entry struct {
	// Code is how the device prints it, in canonical form
	// ("Certificate Error:23", "-456 SL_ESECBADCAFILE").
	Code string `yaml:"code" json:"code"`
	// Number is the numeric part of the code, 0 when it has none; a bare
	// number typed by the user matches it with either sign (WiPy raises
	// OSError 456 for SimpleLink's -456).
	Number int `yaml:"number" json:"number,omitempty"`
	// Patterns are case-insensitive regular expressions that find the code
	// in a log line.
	Patterns []string `yaml:"patterns" json:"-"`
	// Examples are log lines that must be explained by this entry; the
	// tests check each one.
	Examples []string `yaml:"examples" json:"-"`
	// Devices narrows the family's devices for this entry; empty = all of
	// the family's.
	Devices []string `yaml:"devices" json:"devices"`
	// Status says whether the meaning is documented by the vendor,
	// observed in field reports, or inferred.
	Status  string   `yaml:"status" json:"status"`
	Meaning string   `yaml:"meaning" json:"meaning"`
	Cause   string   `yaml:"cause" json:"cause"`
	Checks  []string `yaml:"checks" json:"checks"`
	Fix     string   `yaml:"fix" json:"fix"`
	Sources []Source `yaml:"sources" json:"sources"`

	// Family is the family's display name, set by the loader.
	Family string `yaml:"-" json:"family"`

	res []*regexp.Regexp
}

// Statuses lists the values Entry.Status may take, surest first.
var Statuses = []string{"documented", "observed", "inferred"}

// Family is one device family's table of codes (one YAML file).
type Family struct {
	ID      string   `yaml:"family"`
	Name    string   `yaml:"name"`
	Devices []string `yaml:"devices"`
	Note    string   `yaml:"note"`
	Entries []*Entry `yaml:"entries"`
}

// Table is every family's codes, loaded from the embedded YAML.
type Table struct {
	Families []*Family
}

// ErrUnknownCode is returned (wrapped) when nothing in the table matches.
var ErrUnknownCode = errors.New("unknown code")

// Load parses the embedded code tables. It fails on a malformed file or a
// pattern that does not compile, so a bad edit is caught by any test.
func Load() (*Table, error) {
	files, err := fs.Glob(codesFS, "codes/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list code tables: %w", err)
	}
	sort.Strings(files)
	t := &Table{}
	for _, f := range files {
		fam, err := loadFamily(f)
		if err != nil {
			return nil, err
		}
		t.Families = append(t.Families, fam)
	}
	return t, nil
}

func loadFamily(file string) (*Family, error) {
	data, err := codesFS.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	var fam Family
	if err := yaml.Unmarshal(data, &fam); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path.Base(file), err)
	}
	for _, e := range fam.Entries {
		e.Family = fam.Name
		if len(e.Devices) == 0 {
			e.Devices = fam.Devices
		}
		for _, p := range e.Patterns {
			re, err := regexp.Compile("(?i)" + p)
			if err != nil {
				return nil, fmt.Errorf("%s: code %q: pattern %q: %w", path.Base(file), e.Code, p, err)
			}
			e.res = append(e.res, re)
		}
	}
	return &fam, nil
}

// AppliesTo reports whether the entry is printed by the device with this
// profile ID (the part before any @variant).
func (e *Entry) AppliesTo(device string) bool {
	if device == "" {
		return true
	}
	device = strings.ToLower(strings.SplitN(device, "@", 2)[0])
	for _, d := range e.Devices {
		if d == device {
			return true
		}
	}
	return false
}

// Devices lists every device ID the table knows codes for, sorted.
func (t *Table) Devices() []string {
	seen := map[string]bool{}
	for _, e := range t.Entries("") {
		for _, d := range e.Devices {
			seen[d] = true
		}
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// Entries returns the entries for a device ID (every entry when device is
// empty), in table order.
func (t *Table) Entries(device string) []*Entry {
	var out []*Entry
	for _, f := range t.Families {
		for _, e := range f.Entries {
			if e.AppliesTo(device) {
				out = append(out, e)
			}
		}
	}
	return out
}

// CodeFamily is one device family's codes as `certlint explain --list`
// shows them.
type CodeFamily struct {
	Family  string   `json:"family"`
	Name    string   `json:"name"`
	Devices []string `json:"devices"`
	Codes   []string `json:"codes"`
}

// Codes lists the codes once per family (CC3200 and WiPy share
// SimpleLink's), only the families with a code for device when it is not
// empty, in table order.
func (t *Table) Codes(device string) []CodeFamily {
	var fams []CodeFamily
	for _, fam := range t.Families {
		cf := CodeFamily{Family: fam.ID, Name: fam.Name, Devices: fam.Devices, Codes: []string{}}
		for _, e := range fam.Entries {
			if e.AppliesTo(device) {
				cf.Codes = append(cf.Codes, e.Code)
			}
		}
		if len(cf.Codes) > 0 {
			fams = append(fams, cf)
		}
	}
	return fams
}

// The number patterns are compiled on first use, not at start-up: most
// runs of certlint never look a code up.
var (
	bareNumber = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-+]?\s*(\d+)$`) })
	anyNumber  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d+`) })
)

// Answer is what Lookup found for one input.
type Answer struct {
	// Input is what was looked up, with spacing and minus signs normalised.
	Input string `json:"input"`
	// By says how the entries were found: "number" (a bare number, or the
	// only number in a line no pattern matched: either sign of the code's
	// number) or "pattern" (the codes found in the line, in order).
	By      string   `json:"matched_by"`
	Number  int      `json:"number,omitempty"`
	Entries []*Entry `json:"entries"`
}

// Normalize reads input the way a user pastes it: several words joined
// by single spaces, typographic minus and dash signs read as "-".
func Normalize(input string) string {
	in := strings.NewReplacer("\u2212", "-", "\u2013", "-", "\u2012", "-").Replace(input)
	return strings.Join(strings.Fields(in), " ")
}

// Explain finds the entries that explain input; see Lookup.
func (t *Table) Explain(input, device string) ([]*Entry, error) {
	a, err := t.Lookup(input, device)
	if err != nil {
		return nil, err
	}
	return a.Entries, nil
}

// Lookup finds the entries that explain input, a code or a whole log line
// ("AT-S.Certificate Error:23", "OSError: 208", "-456"), for one device or,
// when device is empty, for all. Matching ignores case and spacing. A bare
// number matches every entry with that number, either sign. Otherwise every
// code found in the line is explained, in the order it appears; where two
// patterns cover the same text the longer match wins
// (SL_ESEC_CERTIFICATE_UNKNOWN is SimpleLink's, not the SPWF04 alert). A
// line no pattern matches but that holds exactly one number ("Error:3",
// "ERROR: 3") is looked up by that number. No match is an error wrapping
// ErrUnknownCode that says what was tried.
func (t *Table) Lookup(input, device string) (*Answer, error) {
	in := Normalize(input)
	if in == "" {
		return nil, errors.New("explain: empty code")
	}
	candidates := t.Entries(device)
	if len(candidates) == 0 {
		return nil, fmt.Errorf("explain: no codes known for device %q (known: %s)", device, strings.Join(t.Devices(), ", "))
	}
	if m := bareNumber().FindStringSubmatch(in); m != nil {
		if a := byNumber(in, m[1], candidates); a != nil {
			return a, nil
		}
	}
	if out := matchLine(in, candidates); len(out) > 0 {
		return &Answer{Input: in, By: "pattern", Entries: out}, nil
	}
	tried := fmt.Sprintf("the %d known codes", len(candidates))
	if device != "" {
		tried += " of " + device
	}
	if nums := anyNumber().FindAllString(in, -1); len(nums) == 1 {
		if a := byNumber(in, nums[0], candidates); a != nil {
			return a, nil
		}
		tried += ", and the number " + nums[0]
	}
	return nil, fmt.Errorf("%w %q (tried %s)", ErrUnknownCode, in, tried)
}

// byNumber returns the candidates whose number is n, either sign, or nil.
func byNumber(in, digits string, candidates []*Entry) *Answer {
	n, err := strconv.Atoi(digits)
	if err != nil || n == 0 {
		return nil
	}
	a := &Answer{Input: in, By: "number", Number: n}
	for _, e := range candidates {
		if e.Number == n || e.Number == -n {
			a.Entries = append(a.Entries, e)
		}
	}
	if len(a.Entries) == 0 {
		return nil
	}
	return a
}

type match struct {
	entry      *Entry
	start, end int
}

// matchLine returns the entries whose patterns occur in line, longest
// matches first claiming their text, then in the order they appear.
func matchLine(line string, candidates []*Entry) []*Entry {
	var all []match
	for _, e := range candidates {
		best := match{entry: e, start: -1}
		for _, re := range e.res {
			if loc := re.FindStringIndex(line); loc != nil && loc[1]-loc[0] > best.end-best.start {
				best.start, best.end = loc[0], loc[1]
			}
		}
		if best.start >= 0 {
			all = append(all, best)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].end-all[i].start > all[j].end-all[j].start })
	var kept []match
	for _, m := range all {
		overlaps := false
		for _, k := range kept {
			if m.start < k.end && k.start < m.end {
				overlaps = true
				break
			}
		}
		if !overlaps {
			kept = append(kept, m)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].start < kept[j].start })
	out := make([]*Entry, len(kept))
	for i, m := range kept {
		out[i] = m.entry
	}
	return out
}
