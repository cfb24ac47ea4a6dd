package certlint

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/pin"
)

// PinSet is what the devices hold to recognise their servers: pins for
// every target, and pins for one target (from a pins file).
type PinSet struct {
	Global  []pin.Pin
	Targets []TargetPins
}

// TargetPins are the pins held for one target of a pins file.
type TargetPins struct {
	Host string // lower case
	Port int    // 0 = any port
	Pins []pin.Pin
}

// Empty reports whether the set holds no pin.
func (s PinSet) Empty() bool { return len(s.Global) == 0 && len(s.Targets) == 0 }

// For returns the pins held for a server: the global ones, then those of
// every pins-file entry naming its host (or the name it is checked under)
// and, when the entry gives one, its port. Port 0 (an offline chain)
// matches any entry's port.
func (s PinSet) For(host, serverName string, port int) []pin.Pin {
	out := append([]pin.Pin(nil), s.Global...)
	for _, t := range s.Targets {
		if t.Host != strings.ToLower(host) && t.Host != strings.ToLower(serverName) {
			continue
		}
		if t.Port != 0 && port != 0 && t.Port != port {
			continue
		}
		out = append(out, t.Pins...)
	}
	return out
}

// ParsePinArgs reads pins given one by one: each a pin in any accepted
// spelling, or the name of a file holding one (PEM or DER certificate or
// public key, or a fingerprint as text). Pin N's origin is "name #N"
// ("pin #N" when name is empty).
func ParsePinArgs(values []string, name string) ([]pin.Pin, error) {
	if name == "" {
		name = "pin"
	}
	var out []pin.Pin
	for i, v := range values {
		p, err := readPin(v, "", fmt.Sprintf("%s #%d", name, i+1))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// readPin parses a pin, or reads it from a file when value names one
// (relative to dir).
func readPin(value, dir, origin string) (pin.Pin, error) {
	path := value
	if dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if !strings.ContainsAny(value, "\n") {
		st, err := os.Stat(path)
		switch {
		case err == nil && st.Mode().IsRegular():
			data, err := readBounded(path, maxPinFileBytes)
			if err != nil {
				return pin.Pin{}, fmt.Errorf("%s: %w", origin, err)
			}
			return pin.ParseBytes(data, value, origin)
		case pinFileName().MatchString(value):
			return pin.Pin{}, fmt.Errorf("%s: pin file %s: %w", origin, value, os.ErrNotExist)
		}
	}
	return pin.Parse(value, origin)
}

// pinFileName tells a value meant as a file name from a pin spelling
// (compiled on first use, not at start-up).
var pinFileName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\.(pem|crt|cer|der|key|pub|txt)$`) })

// Limits of a pins file: a fleet's pins are a few hundred lines; a pin
// file named in it is one certificate or key.
const (
	maxPinFileBytes = 64 << 10
	maxPinLines     = 100000
)

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d KiB", path, limit>>10)
	}
	return data, nil
}

// ReadPinFile reads a pins file (see ParsePins for the format); files it
// names are found relative to it.
func ReadPinFile(path string) (PinSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return PinSet{}, err
	}
	defer f.Close()
	return ParsePins(f, path, filepath.Dir(path))
}

// explicitPort finds a port written in a target: host:443, [v6]:443,
// mqtts://host:8883/path (compiled on first use, not at start-up).
var explicitPort = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(^|[^:]):\d+(/|$)|\]:\d+`) })

// ParsePins reads a pins file: one `TARGET PIN` per line, where TARGET is
// `*` (every target), a host (any port), host:port or a URL, and PIN is the
// rest of the line in any spelling --pin takes (spaces allowed, as in
// "B8 4F 40 …"), or the name of a PEM/DER file relative to dir. A target
// may have several lines (several pins: the check passes when one
// matches). Blank lines and `#` comments (at the start or after a blank)
// are ignored; a byte-order mark and CRLF line ends are tolerated. Errors
// read "NAME:LINE: …". A file with no pin is an error: a CI job that
// compares nothing must not pass.
func ParsePins(r io.Reader, name, dir string) (PinSet, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), maxTargetLine)
	var set PinSet
	index := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		if line > maxPinLines {
			return PinSet{}, fmt.Errorf("%s:%d: more than %d lines", name, line, maxPinLines)
		}
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		text = strings.TrimSpace(stripComment(text))
		if text == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, line)
		target, value, _ := strings.Cut(strings.Replace(text, "\t", " ", 1), " ")
		value = strings.TrimSpace(value)
		if value == "" {
			return PinSet{}, fmt.Errorf("%s: %q has no pin after it (want TARGET PIN, e.g. api.example.com B8 4F 40 …)", where, target)
		}
		if strings.HasPrefix(value, "-----BEGIN") {
			return PinSet{}, fmt.Errorf("%s: a PEM block does not fit on one line: save it in a file and give the file name", where)
		}
		p, err := readPin(value, dir, where)
		if err != nil {
			return PinSet{}, err
		}
		if target == "*" {
			set.Global = append(set.Global, p)
			continue
		}
		t, err := chain.ParseTarget(target)
		if err != nil {
			return PinSet{}, fmt.Errorf("%s: %w", where, err)
		}
		port := 0
		if explicitPort().MatchString(target) {
			port = t.Port
		}
		key := fmt.Sprintf("%s:%d", t.Host, port)
		i, ok := index[key]
		if !ok {
			i = len(set.Targets)
			index[key] = i
			set.Targets = append(set.Targets, TargetPins{Host: strings.ToLower(t.Host), Port: port})
		}
		set.Targets[i].Pins = append(set.Targets[i].Pins, p)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return PinSet{}, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxTargetLine)
		}
		return PinSet{}, fmt.Errorf("%s: %w", name, err)
	}
	if set.Empty() {
		return PinSet{}, fmt.Errorf("%s: no pin in the file (want lines of TARGET PIN)", name)
	}
	return set, nil
}

// stripComment drops a # comment that starts the line or follows a blank;
// a # inside a value (none of the pin spellings has one) is kept.
func stripComment(s string) string {
	if strings.HasPrefix(s, "#") {
		return ""
	}
	for _, sep := range []string{" #", "\t#"} {
		if i := strings.Index(s, sep); i >= 0 {
			s = s[:i]
		}
	}
	return s
}
