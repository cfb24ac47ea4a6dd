package certlint

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

// TargetSpec is one target of a batch with the devices to check it against.
// Devices empty means the request's Devices; a list in a targets file
// overrides -d for that one target, because a fleet mixes modules behind
// different endpoints.
type TargetSpec struct {
	Target  string   // host[:port] or URL
	Devices []string // device selectors for this target only; empty = Request.Devices
	Where   string   // FILE:LINE it came from, for error messages; may be empty
}

// Limits of a targets file: a fleet list is long, but a line or a file far
// past these is a mistake (a binary or a log passed by accident), and the
// parser must stay bounded on any input.
const (
	maxTargetLine  = 4096
	maxTargetLines = 100000
)

// deviceSelector is what a device list entry may look like: an ID with an
// optional @firmware, or "all" (compiled on first use, not at start-up).
var deviceSelector = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(@[A-Za-z0-9._-]+)?$`) })

// ReadTargetsFile reads a targets file ("-" reads stdin). See ParseTargets
// for the format. A file that cannot be opened is an *fs.PathError; a
// problem in it reads "PATH:LINE: problem".
func ReadTargetsFile(path string, stdin io.Reader) ([]TargetSpec, error) {
	if path == "-" {
		if stdin == nil {
			return nil, errors.New("stdin: no standard input")
		}
		return ParseTargets(stdin, "stdin")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseTargets(f, path)
}

// ParseTargets reads one target per line: `host[:port] [device,device]`
// (or a URL instead of host:port). Blank lines and everything from `#` on
// are ignored. name labels errors, which read "NAME:LINE: problem" so the
// user can jump to the line. A file with no target at all is an error: a
// CI job that checks nothing must not pass.
func ParseTargets(r io.Reader, name string) ([]TargetSpec, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), maxTargetLine)
	var specs []TargetSpec
	line := 0
	for sc.Scan() {
		line++
		if line > maxTargetLines {
			return nil, fmt.Errorf("%s:%d: more than %d lines", name, line, maxTargetLines)
		}
		where := fmt.Sprintf("%s:%d", name, line)
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff") // a UTF-8 byte-order mark (Windows editors)
		}
		spec, ok, err := parseTargetLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if ok {
			spec.Where = where
			specs = append(specs, spec)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxTargetLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("%s: no targets (one host[:port] per line)", name)
	}
	return specs, nil
}

// parseTargetLine reads one line; ok is false for a blank or comment line.
func parseTargetLine(text string) (spec TargetSpec, ok bool, err error) {
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	fields := strings.Fields(text)
	switch len(fields) {
	case 0:
		return spec, false, nil
	case 1, 2:
	default:
		return spec, false, fmt.Errorf("%d fields, want `host[:port] [device,device]` (devices are one comma list without spaces)", len(fields))
	}
	if _, err := chain.ParseTarget(fields[0]); err != nil {
		return spec, false, err
	}
	spec.Target = fields[0]
	if len(fields) == 2 {
		for _, d := range strings.Split(fields[1], ",") {
			d = strings.ToLower(d)
			if !deviceSelector().MatchString(d) {
				return spec, false, fmt.Errorf("device %q: want a device ID, or ID@FIRMWARE", d)
			}
			spec.Devices = append(spec.Devices, d)
		}
	}
	return spec, true, nil
}

// batch is the list of targets of a request, each with its own profiles:
// Targets first (with Request.Devices), then TargetList; with a Shard,
// only its share.
func (r *runner) batch() ([]TargetSpec, [][]*constraints.Profile, error) {
	specs := make([]TargetSpec, 0, len(r.req.Targets)+len(r.req.TargetList))
	for _, t := range r.req.Targets {
		// One rule for every input: a malformed target stops the run before
		// anything is dialled, on the command line as in a targets file.
		if _, err := chain.ParseTarget(t); err != nil {
			return nil, nil, err
		}
		specs = append(specs, TargetSpec{Target: t})
	}
	specs = append(specs, r.req.TargetList...)
	for _, p := range r.profiles {
		p.Prepare()
	}
	profiles := make([][]*constraints.Profile, len(specs))
	byDevices := map[string][]*constraints.Profile{}
	for i, s := range specs {
		if len(s.Devices) == 0 {
			profiles[i] = r.profiles
			continue
		}
		key := strings.Join(s.Devices, ",")
		ps, ok := byDevices[key]
		if !ok {
			req := r.req
			req.Devices = s.Devices
			var err error
			if ps, err = selectProfiles(req); err != nil {
				if s.Where != "" {
					return nil, nil, fmt.Errorf("%s: %w", s.Where, err)
				}
				return nil, nil, fmt.Errorf("target %s: %w", s.Target, err)
			}
			for _, p := range ps {
				p.Prepare()
			}
			byDevices[key] = ps
		}
		profiles[i] = ps
	}
	// Every line is checked above, so each shard refuses a bad file alike.
	if r.req.Shard.Count > 1 {
		n := 0
		for i, s := range specs {
			if r.req.Shard.Holds(s.Target) {
				specs[n], profiles[n] = s, profiles[i]
				n++
			}
		}
		specs, profiles = specs[:n], profiles[:n]
	}
	return specs, profiles, nil
}

// progress counts finished targets and reports them to Request.Progress,
// one call at a time, so a progress bar needs no locking of its own.
type progress struct {
	report              func(done, total, failed int)
	done, total, failed int
}

// finished records one target; failed is true when any of its reports
// failed or could not be checked.
func (p *progress) finished(failed bool) {
	if p.report == nil {
		return
	}
	p.done++
	if failed {
		p.failed++
	}
	p.report(p.done, p.total, p.failed)
}

func anyFailed(reports []report.TargetReport) bool {
	for _, t := range reports {
		if t.Verdict == report.VerdictFail || t.Verdict == report.VerdictError {
			return true
		}
	}
	return false
}
