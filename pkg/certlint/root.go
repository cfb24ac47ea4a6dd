package certlint

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
)

// RootRequest asks for the root that anchors a server's chain, in the form
// one device needs.
type RootRequest struct {
	Target       string    // host[:port] or URL
	ChainFile    string    // offline chain (PEM, DER, PKCS#7); "-" = Stdin
	PcapFile     string    // or a packet capture: the chain of its first handshake (with ServerName: of that name)
	Stdin        io.Reader // read when ChainFile is "-"
	CAFile       string    // a CA file holding the root (a private root the chain does not carry)
	Device       string    // one --device selector (ID, alias, ID@variant)
	ProfileFiles []string  // custom profiles
	ServerName   string    // SNI; default the target host
	Resolver     string    // DNS server host:port; empty = the system's
	Timeout      time.Duration
	At           time.Time // the device's clock, for the steps that set it; zero = now
	// Pins are pins the device holds now, compared with the leaf served
	// so the answer says whether they still match.
	Pins []string
	// PinsName is how a pin from Pins is named, as in Request.
	PinsName string
}

// RootExport is the anchor root written the way a device loads it.
type RootExport struct {
	Device     string      // the selector, e.g. spwf04 or spwf04@1.0
	DeviceName string      // e.g. ST SPWF04Sx
	Root       *chain.Cert // the root that anchors the chain
	Anchors    string      // label of the served certificate it anchors
	Format     string      // der or pem
	FileName   string      // e59d….ca, ca.pem, root.der
	DevicePath string      // where the file goes on the device, if known
	Content    []byte      // the file's bytes
	Steps      []string    // what to do, in order
	Snippet    string      // commands or code to paste (AT+S…, MicroPython), may be empty
	Notes      []string    // caveats (retired root, no verification by default)
	// At is the device's clock (--at, default now): the steps that set the
	// device's clock use it.
	At time.Time
	// Served is the chain as the server sent it (or the file held it), in
	// served order, for --save-chain.
	Served []*chain.Cert
	// Source says where the chain came from: the target, the file, or the
	// capture's handshake.
	Source string
	// Pins are what to pin instead of holding the root, for a device that
	// can pin (trust.pins), against the leaf served now; empty otherwise.
	Pins []constraints.PinForm
	// Held says, for each pin given (--pin), whether it still matches.
	Held []HeldPin
}

// HeldPin is a pin the device holds and whether it matches what is served.
type HeldPin struct {
	Pin     string `json:"pin"`
	Origin  string `json:"origin"`
	Call    string `json:"call,omitempty"` // the device call that holds it; empty when none can
	Matches bool   `json:"matches"`
}

// RootRefusal says why a device cannot hold the root and what would work.
// It is a verdict about the service and the device, not a usage error: the
// command exits 1 for it.
type RootRefusal struct {
	Device  string
	Root    string
	Reason  string
	Instead string
}

func (e *RootRefusal) Error() string {
	return fmt.Sprintf("%s cannot hold %s: %s; %s", e.Device, e.Root, e.Reason, e.Instead)
}

// RootNotFound is a chain whose root ExportRoot cannot find: the chain
// does not end at a root and the CA file holds none that anchors it.
type RootNotFound struct{ Err error }

func (e *RootNotFound) Error() string { return "find the root: " + e.Err.Error() }
func (e *RootNotFound) Unwrap() error { return e.Err }

// ExportRoot finds the root that anchors the chain (served by Target, or
// read from ChainFile) and encodes it for the device: the format its CA slot
// takes (PEM when it takes PEM, else DER), the file name (ca_path, with {ski}
// replaced by the root's SKI) and the steps to load it. It returns a
// *RootRefusal when the device cannot hold this root (no SKI where one is
// required, too big, a key type or size the device lacks), and a
// *UsageError for bad input: ErrNoInput, ErrManyInputs, an *InputError
// naming the request field, or a *RootNotFound when nothing given anchors
// the chain.
func ExportRoot(ctx context.Context, req RootRequest) (*RootExport, error) {
	inputs := 0
	for _, in := range []string{req.Target, req.ChainFile, req.PcapFile} {
		if in != "" {
			inputs++
		}
	}
	switch {
	case inputs == 0:
		return nil, &UsageError{ErrNoInput}
	case inputs > 1:
		return nil, &UsageError{ErrManyInputs}
	}
	if err := checkResolver(req.Resolver); err != nil {
		return nil, err
	}
	if req.Device == "" || strings.Contains(req.Device, ",") || strings.EqualFold(req.Device, "all") {
		return nil, &UsageError{&InputError{Field: "Device", Value: req.Device, Err: errors.New("give exactly one device: the root is written in that device's format")}}
	}
	profiles, err := selectProfiles(Request{Devices: []string{req.Device}, ProfileFiles: req.ProfileFiles})
	if err != nil {
		return nil, &UsageError{err}
	}
	p := profiles[0]
	pins, err := ParsePinArgs(req.Pins, req.PinsName)
	if err != nil {
		return nil, &UsageError{err}
	}
	var ca *chain.CAFile
	if req.CAFile != "" {
		if ca, err = chain.LoadCAFile(req.CAFile); err != nil {
			return nil, &UsageError{&InputError{Field: "CAFile", Value: req.CAFile, Err: err}}
		}
	}
	if req.At.IsZero() {
		req.At = time.Now()
	}
	served, source, err := rootServedChain(ctx, req)
	if err != nil {
		return nil, err
	}
	chain.AssignRoles(served) // so an error names "certificate #1 (intermediate, ...)"
	var held []*chain.CAFile
	if ca != nil {
		held = append(held, ca)
	}
	path := chain.BuildPath(served, chain.Union(chain.CAFileAnchors(held), chain.LoadableAnchors(served, nil)), p.PathRules(), req.At)
	if !path.OK() {
		return nil, &UsageError{&RootNotFound{path.Err(served)}}
	}
	root := path.Anchor
	if path.AnchorServed >= 0 {
		root = served[path.AnchorServed]
	}
	e, err := exportFor(p, root, served, req.At)
	if err != nil {
		return nil, err
	}
	e.Served, e.Source = served, source
	if len(served) > 0 {
		e.Pins = constraints.PinForms(p, served[0], req.At)
	}
	for _, st := range constraints.PinStates(pins, p, served) {
		e.Held = append(e.Held, HeldPin{Pin: st.Pin.Input, Origin: st.Pin.Origin, Call: st.Method.Call, Matches: st.Cert != nil})
	}
	return e, nil
}

// rootServedChain reads the chain from the file or capture, or dials the
// target the way check does and returns what its first address serves,
// with where it came from.
func rootServedChain(ctx context.Context, req RootRequest) ([]*chain.Cert, string, error) {
	switch {
	case req.ChainFile != "":
		served, _, err := chain.LoadServedChain(req.ChainFile, req.Stdin)
		if err != nil {
			return nil, "", &UsageError{&InputError{Field: "ChainFile", Value: req.ChainFile, Err: err}}
		}
		return served, req.ChainFile, nil
	case req.PcapFile != "":
		return capturedChain(req.PcapFile, req.ServerName)
	}
	t, err := chain.ParseTarget(req.Target)
	if err != nil {
		return nil, "", &UsageError{err}
	}
	if req.ServerName != "" {
		t.ServerName = req.ServerName
	}
	if req.Timeout <= 0 {
		req.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, req.Timeout)
	defer cancel()
	res, err := (&chain.Resolver{Server: req.Resolver, Timeout: req.Timeout}).Resolve(ctx, t.Host)
	if err != nil {
		return nil, "", err // a *chain.DNSError reads "resolve HOST: ..."
	}
	if len(res.Addresses) == 0 {
		return nil, "", fmt.Errorf("resolve %s: no addresses", t.Host)
	}
	_, served, err := (&chain.Dialer{Timeout: req.Timeout}).Fetch(ctx, res.Addresses[0], t.Port, t.ServerName)
	if len(served) == 0 {
		if err == nil {
			err = chain.ErrNoCertificate
		}
		return nil, "", fmt.Errorf("fetch the chain of %s: %w", t.Input, err)
	}
	return served, t.Input + " → " + res.Addresses[0], nil
}

// capturedChain returns the chain of the first handshake in the capture
// that shows one (for serverName, when given).
func capturedChain(file, serverName string) ([]*chain.Cert, string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, "", &UsageError{&InputError{Field: "PcapFile", Value: file, Err: err}}
	}
	defer f.Close()
	handshakes, err := chain.ReadPcap(f)
	if err != nil {
		return nil, "", &UsageError{&InputError{Field: "PcapFile", Value: file, Err: fmt.Errorf("%s: %w", file, err)}}
	}
	for i, hs := range handshakes {
		if len(hs.Chain) > 0 && (serverName == "" || strings.EqualFold(hs.ServerName, serverName)) {
			return hs.Chain, fmt.Sprintf("%s: handshake %d, server %s", filepath.Base(file), i+1, hs.Server), nil
		}
	}
	what := "no handshake whose certificates it shows (TLS 1.3 encrypts them)"
	if serverName != "" {
		what = "no handshake for " + serverName + " whose certificates it shows"
	}
	return nil, "", &UsageError{&InputError{Field: "PcapFile", Value: file, Err: fmt.Errorf("%s: the capture holds %s", file, what)}}
}

// exportFor encodes root for the profile, or refuses.
func exportFor(p *constraints.Profile, root *chain.Cert, served []*chain.Cert, at time.Time) (*RootExport, error) {
	refuse := func(reason, instead string) error {
		return &RootRefusal{Device: p.Selector(), Root: root.Label(), Reason: reason, Instead: instead}
	}
	if root.Parsed == nil {
		return nil, refuse("the root could not be parsed ("+root.ParseError+")", "give the root certificate itself with --chain")
	}
	if p.Trust.Model == "none" {
		return nil, refuse(p.Name+" does not verify servers, so it has no CA slot to load", "nothing to load")
	}
	if err := keyFits(p, root); err != nil {
		return nil, refuse(err.Error(), "the service must chain to a root with a key the device supports (an RSA-2048 root such as the cross-signed path of its CA)")
	}
	if p.Trust.CARequiresSKI && len(root.SKI) == 0 {
		return nil, refuse("it has no Subject Key Identifier and "+p.Name+" finds its CA by SKI",
			"a root with a Subject Key Identifier extension is needed: ask the service to chain to one")
	}
	format, content, err := chooseEncoding(p, root)
	if err != nil {
		return nil, refuse(err.Error(), "the service must chain to a root with a smaller certificate")
	}
	e := &RootExport{
		Device: p.Selector(), DeviceName: p.Name, Root: root, Anchors: anchoredLabel(root, served),
		Format: format, Content: content, At: at,
	}
	e.DevicePath, e.FileName = devicePath(p, root, format)
	if e.Steps, e.Snippet, err = loadSteps(p, e); err != nil {
		return nil, err
	}
	if note := storeNote(p, root); note != "" {
		e.Notes = append(e.Notes, note)
	}
	if chain.IsRetiredStoreRoot(root) {
		e.Notes = append(e.Notes, "this root was removed from the Mozilla store (it expires "+root.NotAfter.UTC().Format("2006-01-02")+"); devices still hold it, but plan for the service's next root")
	}
	return e, nil
}

// storeNote says, for a device that ships its roots, whether its store
// already holds this one.
func storeNote(p *constraints.Profile, root *chain.Cert) string {
	s, err := constraints.LoadStore(p.Trust.Store)
	if err != nil {
		return ""
	}
	if s.Holds(root) != nil {
		return fmt.Sprintf("%s's built-in store (%s) already holds this root: nothing to load unless the store was replaced", p.Name, s.Name)
	}
	return fmt.Sprintf("%s's built-in store (%s) does not hold this root: load it as below", p.Name, s.Name)
}

// keyFits checks the root's key against the device's key limits: the device
// must verify signatures made with this key.
func keyFits(p *constraints.Profile, root *chain.Cert) error {
	c := p.Certificates
	if len(c.KeyTypes) > 0 && !containsFold(c.KeyTypes, root.KeyType) {
		return fmt.Errorf("its key is %s and %s takes %s keys only", strings.ToUpper(root.KeyType), p.Name, strings.Join(c.KeyTypes, ", "))
	}
	if root.KeyType == "rsa" && c.RSAMaxBits > 0 && root.KeyBits > c.RSAMaxBits {
		return fmt.Errorf("its key is RSA-%d and %s handles at most RSA-%d", root.KeyBits, p.Name, c.RSAMaxBits)
	}
	return nil
}

// chooseEncoding picks PEM when the device takes it (text, pastes into a
// terminal, and the file seed 001 loaded), else the first format it takes;
// a format over the size limit gives way to one under it.
func chooseEncoding(p *constraints.Profile, root *chain.Cert) (string, []byte, error) {
	formats := append([]string(nil), p.Trust.CAFormats...)
	if len(formats) == 0 {
		formats = []string{"pem", "der"}
	}
	if containsFold(formats, "pem") {
		formats = append([]string{"pem"}, formats...)
	}
	var tried []string
	for _, f := range formats {
		content := encodeRoot(root, strings.ToLower(f))
		if content == nil {
			continue
		}
		if p.Trust.CAMaxBytes > 0 && len(content) > p.Trust.CAMaxBytes {
			tried = append(tried, fmt.Sprintf("%s is %d bytes", strings.ToUpper(f), len(content)))
			continue
		}
		return strings.ToLower(f), content, nil
	}
	return "", nil, fmt.Errorf("it is too big for the CA slot (at most %d bytes; %s)", p.Trust.CAMaxBytes, strings.Join(tried, ", "))
}

func encodeRoot(root *chain.Cert, format string) []byte {
	switch format {
	case "der":
		return append([]byte(nil), root.Raw...)
	case "pem":
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw})
	}
	return nil
}

// devicePath fills the profile's ca_path ({ski} = the root's SKI in hex);
// without one the file is root.der or root.pem.
func devicePath(p *constraints.Profile, root *chain.Cert, format string) (devicePath, fileName string) {
	if p.Trust.CAPath == "" {
		return "", "root." + format
	}
	dp := strings.ReplaceAll(p.Trust.CAPath, "{ski}", root.SKIHex())
	return dp, path.Base(dp)
}

func anchoredLabel(root *chain.Cert, served []*chain.Cert) string {
	for i := len(served) - 1; i >= 0; i-- {
		if served[i] != root {
			return served[i].Subject
		}
	}
	return root.Subject
}

// loadSteps says how to load the file: the profile's own steps and snippet
// (trust.load_steps, trust.load_snippet, templates over the root and the
// file), else a generic step and its ca_load_hint.
func loadSteps(p *constraints.Profile, e *RootExport) ([]string, string, error) {
	if !p.HasRootSteps() {
		steps := []string{fmt.Sprintf("write %s (%s, %d bytes)", e.FileName, strings.ToUpper(e.Format), len(e.Content))}
		if p.Trust.CALoadHint != "" {
			steps = append(steps, strings.TrimSpace(p.Trust.CALoadHint))
		}
		return steps, "", nil
	}
	pemText := string(encodeRoot(e.Root, "pem"))
	ski := e.Root.SKIHex()
	at := e.At.UTC()
	where := e.DevicePath
	if where == "" {
		where = e.FileName
	}
	return p.RootSteps(constraints.RootStepData{
		Subject: e.Root.Subject, CommonName: e.Root.CommonName, Expires: e.Root.NotAfter.UTC().Format("2006-01-02"),
		FileName: e.FileName, DevicePath: where, Format: strings.ToUpper(e.Format), Bytes: len(e.Content),
		DERBytes: len(e.Root.Raw), PEMBytes: len(pemText),
		SKI: ski, SKIColon: colonHex(ski), SKISpaced: spacedHex(ski),
		PEM: pemText, PEMC: cLines(pemText),
		Epoch: at.Unix(), RTC: fmt.Sprintf("%d, %d, %d, %d, %d, %d", at.Year(), at.Month(), at.Day(), at.Hour(), at.Minute(), at.Second()),
	})
}

// cLines writes text as C string literals, one per line, each ending in \n.
func cLines(text string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n") {
		fmt.Fprintf(&b, "\"%s\\n\"\n", strings.TrimSuffix(line, "\n"))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// WriteFile writes the root into dir under FileName and returns the path.
// An existing file is kept unless force is set: the error is then a
// *UsageError that errors.Is fs.ErrExist.
func (e *RootExport) WriteFile(dir string, force bool) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	dst := filepath.Join(dir, e.FileName)
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(dst, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return "", &UsageError{err} // "open DST: file exists"; errors.Is(err, fs.ErrExist)
	}
	if err != nil {
		return "", fmt.Errorf("write %s: %w", dst, err)
	}
	if _, err := f.Write(e.Content); err != nil {
		f.Close()
		return "", fmt.Errorf("write %s: %w", dst, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", dst, err)
	}
	return dst, nil
}

// ContentText is the file content as it can go to a terminal: PEM as is,
// DER as base64 with the command that turns it back into the file.
func (e *RootExport) ContentText() string {
	if e.Format == "pem" {
		return string(e.Content)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "base64 -d > %s <<'EOF'\n", e.FileName)
	enc := base64.StdEncoding.EncodeToString(e.Content)
	for len(enc) > 64 {
		b.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	b.WriteString(enc + "\nEOF\n")
	return b.String()
}

func colonHex(h string) string {
	var parts []string
	for i := 0; i+1 < len(h); i += 2 {
		parts = append(parts, strings.ToUpper(h[i:i+2]))
	}
	return strings.Join(parts, ":")
}

func spacedHex(h string) string {
	var parts []string
	for i := 0; i+1 < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, " ")
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
