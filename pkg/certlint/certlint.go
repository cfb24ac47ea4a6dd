// Package certlint runs a check end to end: it gets the chain (from the
// network or a file), observes it the way each selected device would, runs
// the checks and returns one report. The command line is a thin layer over
// Check.
package certlint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

// Request is everything a check needs. Zero values mean the defaults.
type Request struct {
	Targets      []string  // host[:port] or URLs; ignored when ChainFile is set
	ChainFile    string    // offline chain (PEM, DER, PKCS#7); "-" = Stdin
	Stdin        io.Reader // read when ChainFile is "-"
	CAFiles      []string  // the CA files the device holds (each may be a bundle of roots)
	PcapFile     string    // packet capture (pcap, pcapng) checked instead: one report per TLS handshake
	ClientCert   string    // the device's own certificate bundle (mutual TLS), for the client-cert check
	ServerName   string    // SNI and the name to verify; default the target host
	Devices      []string  // --device values; empty = all
	ProfileFiles []string  // custom profiles
	Resolver     string    // DNS server host:port; empty = the system's
	Timeout      time.Duration
	At           time.Time // the device's clock; zero = now
	Until        time.Time // end of the device's service life (--until); zero = not judged
	Concurrency  int       // targets checked at once; 0 = 8
	// TargetList are more targets (from --targets), checked after Targets,
	// each with its own device list when it has one.
	TargetList []TargetSpec
	// KeepServed keeps each report's chain as served (TargetReport.Served),
	// for writing it out (--save-chain).
	KeepServed bool
	// Pins are pins every device holds for every target, in any spelling
	// pin.Parse takes, or files holding one.
	Pins []string
	// PinsName is how findings and errors name a pin from Pins: "NAME #N"
	// (a command passes its flag, "--pin #2"); "pin #N" when empty.
	PinsName string
	// PinFile is a pins file (--pin-file): pins per target and for all.
	PinFile string
	// WarnDays is the pin check's warning window: a matching pin that
	// breaks within it (its certificate expires) is a warning.
	WarnDays int
	// Shard, when its Count is above 1, keeps only this shard's share of
	// Targets and TargetList (see Shard); a shard may hold none.
	Shard Shard
	// Progress, when set, is called after each target of a batch finishes
	// with the targets done, the total and how many failed or could not be
	// checked so far. Calls never overlap. It keeps this package free of UI.
	Progress func(done, total, failed int)
}

// UsageError is a problem with what the user asked for (an unknown device,
// an unreadable file), as opposed to a problem with a server.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// InputError is a value in the request that could not be used: a CA file
// that holds no certificate, a capture that cannot be read, a resolver
// that is not an address. Field is the request field that held it
// (CAFiles, CAFile, ClientCert, ChainFile, PcapFile, PinFile, Resolver,
// WarnDays, Device), so a command can say which of its options was wrong;
// Value is the field's value as given, and Err says what is wrong with it
// (naming Value where it helps).
type InputError struct {
	Field string
	Value string
	Err   error
}

// ErrNoInput is a request that names nothing to check or read: no target,
// no target list, no chain file, no capture.
var ErrNoInput = errors.New("nothing to check: no target, target list, chain file or capture given")

// ErrManyInputs is a request for one chain that names more than one place
// to read it from (a target, a chain file, a capture).
var ErrManyInputs = errors.New("more than one of a target, a chain file and a capture given")

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// DefaultTimeout bounds DNS plus dial plus handshakes for one address.
const DefaultTimeout = 10 * time.Second

// Check runs the request. The error is non-nil only when nothing could be
// checked at all (a UsageError); a target that cannot be reached is a report
// with its error set, so the other targets still get checked.
func Check(ctx context.Context, req Request) (*report.Report, error) {
	var reports []report.TargetReport
	err := CheckStream(ctx, req, func(t report.TargetReport) error {
		reports = append(reports, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return report.New(reports), nil
}

// CheckStream runs the request like Check, but hands every report to emit
// instead of collecting them: in input order, each as soon as it and every
// report before it are done. A batch of any size thus holds only the
// reports of targets in flight. An error from emit stops the run (targets
// not yet started are skipped) and is returned.
func CheckStream(ctx context.Context, req Request, emit func(report.TargetReport) error) error {
	if err := checkResolver(req.Resolver); err != nil {
		return err
	}
	profiles, err := selectProfiles(req)
	if err != nil {
		return &UsageError{err}
	}
	var cas []*chain.CAFile
	for _, file := range req.CAFiles {
		ca, err := chain.LoadCAFile(file)
		if err != nil {
			return &UsageError{&InputError{Field: "CAFiles", Value: file, Err: err}}
		}
		cas = append(cas, ca)
	}
	if req.Timeout <= 0 {
		req.Timeout = DefaultTimeout
	}
	if req.At.IsZero() {
		req.At = time.Now()
	}
	client, err := loadClientCert(req.ClientCert)
	if err != nil {
		return &UsageError{err}
	}
	pins, err := loadPins(req)
	if err != nil {
		return &UsageError{err}
	}
	r := &runner{req: req, profiles: profiles, cas: cas, client: client, pins: pins}
	r.dials = make(chan struct{}, dialsPerTarget*concurrency(req))
	if req.PcapFile != "" {
		trs, err := r.pcap()
		if err != nil {
			return &UsageError{err}
		}
		return emitAll(trs, emit)
	}
	if req.ChainFile != "" {
		tr, err := r.offline()
		if err != nil {
			return &UsageError{err}
		}
		return emit(tr)
	}
	if len(req.Targets) == 0 && len(req.TargetList) == 0 {
		return &UsageError{ErrNoInput}
	}
	specs, perTarget, err := r.batch()
	if err != nil {
		return &UsageError{err}
	}
	return r.targets(ctx, specs, perTarget, emit)
}

// checkResolver refuses a bad resolver before any target is resolved,
// so it is one usage error instead of a DNS error per target.
func checkResolver(resolver string) error {
	if resolver == "" {
		return nil
	}
	if _, err := chain.ParseServers(resolver); err != nil {
		return &UsageError{&InputError{Field: "Resolver", Value: resolver, Err: err}}
	}
	return nil
}

func emitAll(reports []report.TargetReport, emit func(report.TargetReport) error) error {
	for _, t := range reports {
		if err := emit(t); err != nil {
			return err
		}
	}
	return nil
}

func selectProfiles(req Request) ([]*constraints.Profile, error) {
	reg, err := constraints.LoadBuiltin()
	if err != nil {
		return nil, fmt.Errorf("built-in profiles: %w", err)
	}
	for _, f := range req.ProfileFiles {
		if err := reg.AddFile(f); err != nil {
			return nil, constraints.OneLine(err)
		}
	}
	profiles, err := reg.Select(req.Devices)
	if err != nil {
		return nil, err
	}
	if len(req.ProfileFiles) == 0 {
		// Built-in profiles only: their hellos are validated at build
		// time (TestBuiltinProfilesCiteEveryLimit); here it cost a
		// cipher-suite table every run.
		return profiles, nil
	}
	for _, p := range profiles {
		if !dialable(p) {
			continue
		}
		if err := p.HelloSpec().Validate(); err != nil {
			return nil, fmt.Errorf("profile %s: %w", p.Selector(), err)
		}
	}
	return profiles, nil
}

// dialable reports whether enough of the device's ClientHello is known to
// replay it; a profile without versions gets no device dial and its
// handshake checks say so.
func dialable(p *constraints.Profile) bool { return len(p.OfferedVersions()) > 0 }

type runner struct {
	req      Request
	profiles []*constraints.Profile
	cas      []*chain.CAFile
	client   *chain.CAFile
	pins     PinSet
	dials    chan struct{} // connections open at once, shared by every target of the run
}

// Fan-out bounds. A target may resolve to many addresses and each address
// is dialled once per distinct device ClientHello, so --concurrency alone
// does not bound the connections open at once.
const (
	// maxAddresses is how many of a target's addresses are checked; the
	// reports say when there were more.
	maxAddresses = 16
	// dialsPerTarget sizes the run's dial semaphore: Concurrency times
	// this many connections at once.
	dialsPerTarget = 16
)

// loadPins reads the pins and the pin file before anything is dialled.
func loadPins(req Request) (PinSet, error) {
	if req.WarnDays < 0 {
		return PinSet{}, &InputError{Field: "WarnDays", Value: strconv.Itoa(req.WarnDays), Err: fmt.Errorf("%d: must not be negative", req.WarnDays)}
	}
	var set PinSet
	if req.PinFile != "" {
		var err error
		if set, err = ReadPinFile(req.PinFile); err != nil {
			var open *fs.PathError
			if errors.As(err, &open) && open.Path == req.PinFile {
				err = &InputError{Field: "PinFile", Value: req.PinFile, Err: err}
			}
			return PinSet{}, err
		}
	}
	global, err := ParsePinArgs(req.Pins, req.PinsName)
	if err != nil {
		return PinSet{}, err
	}
	set.Global = append(global, set.Global...)
	return set, nil
}

// loadClientCert reads the device's certificate bundle the way a CA file is
// read: the format it is in and its size as stored.
func loadClientCert(path string) (*chain.CAFile, error) {
	if path == "" {
		return nil, nil
	}
	b, err := chain.LoadCAFile(path)
	if err != nil {
		return nil, &InputError{Field: "ClientCert", Value: path, Err: err}
	}
	for _, c := range b.Certs {
		c.Source = ""
	}
	return b, nil
}

// pcap checks every TLS handshake of a capture like an offline chain,
// with the ServerHello's choice, the SNI as server name and the server's
// address and port. A handshake whose chain the capture does not show
// (TLS 1.3, missing packets) is a report with its error set.
func (r *runner) pcap() ([]report.TargetReport, error) {
	f, err := os.Open(r.req.PcapFile)
	if err != nil {
		return nil, &InputError{Field: "PcapFile", Value: r.req.PcapFile, Err: err}
	}
	defer f.Close()
	handshakes, err := chain.ReadPcap(f)
	if err != nil {
		return nil, &InputError{Field: "PcapFile", Value: r.req.PcapFile, Err: fmt.Errorf("%s: %w", r.req.PcapFile, err)}
	}
	out := make([]report.TargetReport, 0, len(handshakes))
	for i, hs := range handshakes {
		out = append(out, r.captured(i+1, hs))
	}
	return out, nil
}

// captured turns one captured handshake into a report.
func (r *runner) captured(n int, hs chain.CapturedHandshake) report.TargetReport {
	addr, port := hs.ServerAddrPort()
	name := hs.ServerName
	if r.req.ServerName != "" {
		name = r.req.ServerName
	}
	target := fmt.Sprintf("%s: handshake %d, client %s", filepath.Base(r.req.PcapFile), n, hs.Client)
	if len(hs.Chain) == 0 {
		why := hs.Note
		if why == "" {
			why = hs.Handshake.Error
		}
		tr := r.errorReport(target, fmt.Errorf("no certificate chain in the capture: %s", why))
		tr.Host, tr.Port, tr.ServerName, tr.Address = name, port, name, addr
		return tr
	}
	handshake := hs.Handshake
	obs := &chain.Observation{
		Target: target, Host: name, Port: port, ServerName: name, Address: addr,
		Offline: true, CheckedAt: r.req.At, Until: r.req.Until, TLS: &handshake, Certificate: handshake.Certificate,
	}
	if hs.Note != "" {
		obs.Notes = append(obs.Notes, hs.Note)
	}
	if req := handshake.ClientCert; req != nil {
		obs.Notes = append(obs.Notes, req.Note())
	}
	r.observeChain(obs, hs.Chain)
	return r.evaluate(obs, nil)
}

// offline checks a chain from a file: the same observation as a dial,
// without the handshake facts.
func (r *runner) offline() (report.TargetReport, error) {
	served, msg, err := chain.LoadServedChain(r.req.ChainFile, r.req.Stdin)
	if err != nil {
		return report.TargetReport{}, &InputError{Field: "ChainFile", Value: r.req.ChainFile, Err: err}
	}
	name := r.req.ChainFile
	if name == "-" {
		name = "stdin"
	}
	obs := &chain.Observation{
		Target: name, Host: r.req.ServerName, ServerName: r.req.ServerName,
		Offline: true, CheckedAt: r.req.At, Until: r.req.Until, Certificate: msg,
	}
	if msg.Certs > len(served) {
		obs.Notes = append(obs.Notes, fmt.Sprintf("the chain holds %d certificates (%d bytes); only the first %d were examined (certlint's chain cap); message-size and chain-size count all of them",
			msg.Certs, msg.DERBytes, len(served)))
	}
	r.observeChain(obs, served)
	return r.evaluate(obs, nil), nil
}

// targets checks every target with its own profiles, at most Concurrency
// at once, and emits the reports in input order. A target may start only
// while fewer than window targets are finished but not yet emitted (one
// slow target holds back the emission of those after it): memory stays
// bounded however long the list.
func (r *runner) targets(ctx context.Context, specs []TargetSpec, profiles [][]*constraints.Profile, emit func(report.TargetReport) error) error {
	n := concurrency(r.req)
	window := 4 * n
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		i       int
		reports []report.TargetReport
	}
	results := make(chan result, n)
	slots := make(chan struct{}, window) // started, not yet emitted
	sem := make(chan struct{}, n)        // running
	go func() {
		for i, t := range specs {
			slots <- struct{}{}
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				tr := *r
				tr.profiles = profiles[i]
				results <- result{i, tr.target(ctx, t.Target)}
			}()
		}
	}()
	prog := &progress{report: r.req.Progress, total: len(specs)}
	pending := map[int][]report.TargetReport{}
	next := 0
	var emitErr error
	for range specs {
		res := <-results
		prog.finished(anyFailed(res.reports))
		pending[res.i] = res.reports
		for {
			rs, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			for _, t := range rs {
				if emitErr == nil {
					if emitErr = emit(t); emitErr != nil {
						cancel() // the rest finish at once, unchecked
					}
				}
			}
			next++
			<-slots
		}
	}
	return emitErr
}

// concurrency is the number of targets checked at once.
func concurrency(req Request) int {
	if req.Concurrency <= 0 {
		return 8
	}
	return req.Concurrency
}

// dial runs one connection's work (a handshake) when a slot of the run's
// dial semaphore is free, and reports whether it ran. When the target's
// deadline passes while it waits, the server was never asked: the caller
// says so (noSlot) rather than report a timeout of the server's.
func (r *runner) dial(ctx context.Context, work func()) bool {
	select {
	case r.dials <- struct{}{}:
	default:
		select {
		case r.dials <- struct{}{}:
		case <-ctx.Done():
			return false
		}
	}
	defer func() { <-r.dials }()
	work()
	return true
}

// noSlot is why a handshake was not made: every connection slot of the
// run stayed busy until the target's deadline.
const noSlot = "not dialled: every connection slot of this run stayed busy until the target's deadline (a longer timeout or more concurrency gives the dials room)"

// target resolves one target and checks each of its addresses (at most
// maxAddresses): a fleet can land on any of them, so each gets its own
// report.
func (r *runner) target(ctx context.Context, input string) []report.TargetReport {
	t, err := chain.ParseTarget(input)
	if err != nil {
		return []report.TargetReport{r.errorReport(input, err)}
	}
	if r.req.ServerName != "" {
		t.ServerName = r.req.ServerName
	}
	// One budget covers DNS, dial and handshakes: an address reached after
	// a slow lookup gets what is left of it.
	ctx, cancel := context.WithTimeout(ctx, r.req.Timeout)
	defer cancel()
	res, err := (&chain.Resolver{Server: r.req.Resolver, Timeout: r.req.Timeout}).Resolve(ctx, t.Host)
	if err != nil {
		// A *chain.DNSError already reads "resolve HOST: ...".
		return []report.TargetReport{r.errorReport(input, err)}
	}
	addrs, capped := res.Addresses, ""
	if len(addrs) > maxAddresses {
		capped = fmt.Sprintf("%s resolved to %d addresses; only the first %d were checked (certlint's address cap)", t.Host, len(addrs), maxAddresses)
		addrs = addrs[:maxAddresses]
	}
	out := make([]report.TargetReport, len(addrs))
	var wg sync.WaitGroup
	for i, addr := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = r.address(ctx, t, res.CNAMEs, addr)
			if capped != "" {
				out[i].Notes = append(out[i].Notes, capped)
			}
		}()
	}
	wg.Wait()
	return out
}

// address observes one address: the generic handshake and each distinct
// device ClientHello, all at once, within the target's deadline (ctx).
func (r *runner) address(ctx context.Context, t chain.Target, cnames []string, addr string) report.TargetReport {
	d := &chain.Dialer{Timeout: r.req.Timeout}
	obs := &chain.Observation{
		Target: t.Input, Host: t.Host, Port: t.Port, ServerName: t.ServerName,
		CNAMEs: cnames, Address: addr, CheckedAt: r.req.At, Until: r.req.Until, Hellos: map[string]*chain.HelloResult{},
	}
	// One dial per distinct hello; waiting lists the profiles it is for.
	specs := map[string]chain.HelloSpec{}
	waiting := map[string][]int{}
	for i, p := range r.profiles {
		if !dialable(p) {
			continue
		}
		key := p.HelloKeyFor(t.ServerName)
		if _, ok := specs[key]; !ok {
			specs[key] = p.HelloSpecFor(t.ServerName)
		}
		waiting[key] = append(waiting[key], i)
	}
	type arrival struct {
		key string
		res *chain.HelloResult
	}
	arrivals := make(chan arrival, len(specs))
	for key, spec := range specs {
		go func() {
			var res *chain.HelloResult
			if !r.dial(ctx, func() { res = d.DialHello(ctx, addr, t.Port, t.ServerName, spec) }) {
				res = &chain.HelloResult{Spec: spec, Handshake: chain.Handshake{Error: noSlot, Failure: chain.FailureTimeout}}
			}
			arrivals <- arrival{key, res}
		}()
	}
	var hs *chain.Handshake
	var served []*chain.Cert
	var err error
	if !r.dial(ctx, func() { hs, served, err = d.Fetch(ctx, addr, t.Port, t.ServerName) }) {
		err = &chain.HandshakeError{Address: net.JoinHostPort(addr, strconv.Itoa(t.Port)), Reason: noSlot, Err: ctx.Err()}
	}
	if err != nil {
		for range specs {
			<-arrivals
		}
		tr := r.errorReport(t.Input, err)
		tr.Host, tr.Port, tr.ServerName, tr.CNAMEs, tr.Address = t.Host, t.Port, t.ServerName, nonNil(cnames), addr
		return tr
	}
	// The device paths need only the served chain, and a device's checks
	// only its own hello: both run while the other hellos are still out.
	obs.TLS, obs.Certificate = hs, hs.Certificate
	obs.Notes = append(obs.Notes, hs.Notes...) // e.g. a chain longer than the cap
	r.observeChain(obs, served)
	e := r.newEvaluation(obs)
	for i, p := range r.profiles {
		if !dialable(p) {
			e.device(i, nil)
		}
	}
	for range specs {
		a := <-arrivals
		obs.Hellos[a.key] = a.res
		for _, i := range waiting[a.key] {
			e.device(i, a.res)
		}
	}
	return e.report()
}

// observeChain builds each device's path through the served chain (the
// one value the chain checks read), lists the anchors after the served
// certificates and names every certificate's role.
func (r *runner) observeChain(obs *chain.Observation, served []*chain.Cert) {
	obs.CAFiles = r.cas
	obs.ClientCert = r.client
	obs.Chain = served
	obs.Anchor, obs.Paths = nil, nil
	chain.AssignRoles(served) // so a note names "certificate #1 (intermediate, ...)", not "(, ...)"
	for _, p := range r.profiles {
		obs.AddPath(p.Selector(), constraints.BuildDevicePath(obs, p))
	}
	if obs.Anchor == nil && len(r.profiles) > 0 {
		path := obs.Paths[r.profiles[0].Selector()]
		if path.Loadable != nil {
			path = path.Loadable
		}
		obs.Notes = append(obs.Notes, path.Err(served).Error()) // "no trust anchor found: …"
	}
	obs.SetRoles()
}

// evaluate runs every device's checks on the observation.
func (r *runner) evaluate(obs *chain.Observation, hellos map[string]*chain.HelloResult) report.TargetReport {
	e := r.newEvaluation(obs)
	for i, p := range r.profiles {
		var hello *chain.HelloResult
		if dialable(p) && len(hellos) > 0 {
			hello = hellos[p.HelloKeyFor(obs.ServerName)]
		}
		e.device(i, hello)
	}
	return e.report()
}

// evaluation is one observation's device results, filled in device by
// device: a live check evaluates a device as soon as its hello is back.
type evaluation struct {
	r         *runner
	obs       *chain.Observation
	results   []constraints.DeviceResult
	perDevice []*chain.HelloResult
}

func (r *runner) newEvaluation(obs *chain.Observation) *evaluation {
	obs.Pins = r.pins.For(obs.Host, obs.ServerName, obs.Port)
	obs.PinWarnDays = r.req.WarnDays
	return &evaluation{r: r, obs: obs,
		results:   make([]constraints.DeviceResult, len(r.profiles)),
		perDevice: make([]*chain.HelloResult, len(r.profiles))}
}

// device runs the checks of profile i, with its hello (nil: none dialled).
func (e *evaluation) device(i int, hello *chain.HelloResult) {
	devObs := e.obs
	if hello != nil {
		e.perDevice[i] = hello
		devObs = e.r.deviceObservation(e.obs, hello)
	}
	e.results[i] = constraints.Evaluate(devObs, e.r.profiles[i])
	noteApproximation(&e.results[i], hello)
}

// report is the target's report once every device is evaluated.
func (e *evaluation) report() report.TargetReport {
	tr := report.NewTargetReport(e.obs, e.results, e.perDevice)
	if e.r.req.KeepServed {
		tr.Served = e.obs.Served()
	}
	return tr
}

// deviceObservation returns what a device's checks run on: the generic
// observation, or, for a device that sends no SNI and received a different
// chain (the server's default certificate), one built from that chain with
// its own anchor and roles. SNIServed keeps the generic chain so the sni
// finding can say what the device gets instead.
func (r *runner) deviceObservation(obs *chain.Observation, hello *chain.HelloResult) *chain.Observation {
	served := obs.Served()
	if hello == nil || hello.Spec.SNI || len(hello.Chain) == 0 || len(served) == 0 || hello.Chain[0].SHA256 == served[0].SHA256 {
		return obs
	}
	dev := *obs
	dev.Notes = append([]string(nil), obs.Notes...)
	dev.SNIServed = served
	r.observeChain(&dev, hello.Chain)
	return &dev
}

// noteApproximation adds to the handshake findings where the replayed
// ClientHello differed from the device's, so a reader knows how far the
// server's answer can be trusted.
func noteApproximation(res *constraints.DeviceResult, hello *chain.HelloResult) {
	if hello == nil || len(hello.Approximations) == 0 {
		return
	}
	for i, f := range res.Findings {
		if (f.Check == "tls-version" || f.Check == "cipher-suite") && f.Severity != constraints.Skip {
			res.Findings[i].Message += " (ClientHello approximated: " + strings.Join(hello.Approximations, "; ") + ")"
		}
	}
}

// errorReport is the report of a target that could not be checked, at the
// run's clock.
func (r *runner) errorReport(target string, err error) report.TargetReport {
	tr := report.NewErrorReport(target, err)
	tr.CheckedAt = r.req.At.UTC()
	return tr
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
