// Package oracle compares certlint's verdicts with real TLS stacks: BearSSL
// 0.6, mbedTLS 2.28 and wolfSSL 5.5 built as devices build them (build.sh,
// configs.tsv). TestOracle serves generated scenarios on 127.0.0.1, runs
// every probe configuration and certlint with the profile that describes
// it, and fails on any disagreement. It runs only when CERTLINT_ORACLE_PROBES
// names the directory build.sh printed (oracle/run.sh does both).
package oracle

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/certlint"
	"github.com/certlint/certlint/pkg/report"
)

// config is one row of configs.tsv.
type config struct {
	name, stack string
	flags       []string
	profile     string // certlint profile ID
	noClock     bool   // the build has no clock of its own (esp8266)
}

func loadConfigs(t *testing.T, dir string) []config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "configs.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []config
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			t.Fatalf("configs.tsv: %q: want 5 tab-separated columns", line)
		}
		c := config{name: f[0], stack: f[1], profile: f[4]}
		if f[3] != "-" {
			for _, fl := range strings.Fields(f[3]) {
				if fl == "noclock" {
					c.noClock = true
					continue
				}
				c.flags = append(c.flags, fl)
			}
		}
		out = append(out, c)
	}
	return out
}

// outcome is what one side said about one scenario for one configuration.
type outcome struct {
	ok     bool
	checks []string // certlint: failing check IDs; probe: the checks its error can mean
	index  []int    // certificate indexes named (probe: at most one)
	text   string
}

// result is one comparison.
type result struct {
	scenario, config string
	probe, certlint  outcome
	agree            bool
	known            string // reason when this is a known, listed disagreement
	why              string
}

func TestOracle(t *testing.T) {
	dir := os.Getenv("CERTLINT_ORACLE_PROBES")
	if dir == "" {
		t.Skip("CERTLINT_ORACLE_PROBES is not set: run oracle/run.sh, which builds the probes first")
	}
	configs := loadConfigs(t, dir)
	scenarios := buildScenarios(t)
	work := t.TempDir()

	var (
		mu      sync.Mutex
		results []result
	)
	for _, sc := range scenarios {
		addr := sc.serve(t)
		caPath := filepath.Join(work, sc.name+".ca.pem")
		if err := os.WriteFile(caPath, sc.ca, 0o644); err != nil {
			t.Fatal(err)
		}
		at := time.Now()
		if sc.epoch {
			at = time.Unix(0, 0)
		}
		rep := runCertlint(t, addr, sc.sni, caPath, at, configs)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 2)
		for _, c := range configs {
			wg.Add(1)
			sem <- struct{}{}
			go func(c config) {
				defer func() { <-sem; wg.Done() }()
				p := runProbe(t, dir, c, addr, sc, caPath)
				cl := certlintOutcome(rep, c.profile)
				r := compare(sc.name, c, p, cl)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			}(c)
		}
		wg.Wait()
	}
	summarize(t, results, scenarios, configs)
}

// runProbe runs one probe configuration against the scenario's server.
func runProbe(t *testing.T, dir string, c config, addr string, sc *scenario, caPath string) outcome {
	host, port, _ := strings.Cut(addr, ":")
	args := []string{"host=" + host, "port=" + port, "sni=" + sc.sni, "ca=" + caPath}
	args = append(args, c.flags...)
	switch {
	case sc.epoch && c.noClock:
		// no time=: the build has no clock, as the device before SNTP
	case sc.epoch:
		args = append(args, "time=0")
	default:
		args = append(args, fmt.Sprintf("time=%d", time.Now().Unix()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, c.name), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	line := strings.TrimSpace(string(out))
	if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() == 1 && strings.HasPrefix(line, "ERR ") {
		checks, index := probeCulprit(c.stack, line)
		return outcome{checks: checks, index: index, text: line}
	}
	if err != nil || !strings.HasPrefix(line, "OK ") {
		t.Errorf("%s on %s: probe did not run: %v %s %s", c.name, sc.name, err, line, stderr.String())
		return outcome{text: "probe error: " + line + stderr.String()}
	}
	return outcome{ok: true, text: line}
}

// runCertlint checks the scenario's server once for every configuration's
// profile.
func runCertlint(t *testing.T, addr, sni, caPath string, at time.Time, configs []config) *report.Report {
	var devices, files []string
	for _, c := range configs {
		devices = append(devices, c.profile)
		f := filepath.Join("profiles", c.profile+".yaml")
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		}
	}
	name := sni
	if name == "" {
		name = "oracle.test"
	}
	rep, err := certlint.Check(context.Background(), certlint.Request{
		Targets: []string{addr}, ServerName: name, CAFiles: []string{caPath},
		Devices: devices, ProfileFiles: files, Timeout: 20 * time.Second, At: at,
	})
	if err != nil {
		t.Fatalf("certlint: %v", err)
	}
	return rep
}

// certlintOutcome is certlint's verdict for one profile: a pass or a warning
// predicts a connection, a failure names its checks and certificates.
func certlintOutcome(rep *report.Report, profile string) outcome {
	if len(rep.Reports) != 1 {
		return outcome{text: fmt.Sprintf("certlint: %d reports", len(rep.Reports))}
	}
	tr := rep.Reports[0]
	if tr.Error != "" {
		return outcome{checks: []string{"error"}, text: "error: " + tr.Error}
	}
	for _, d := range tr.Devices {
		if d.Device != profile {
			continue
		}
		o := outcome{ok: d.Verdict != "fail"}
		var parts []string
		for _, f := range d.Findings {
			if f.Severity != "fail" {
				continue
			}
			o.checks = append(o.checks, f.Check)
			o.index = append(o.index, f.CertIndex)
			parts = append(parts, fmt.Sprintf("%s#%d", f.Check, f.CertIndex))
		}
		o.text = d.Verdict
		if len(parts) > 0 {
			o.text += " " + strings.Join(parts, ",")
		}
		return o
	}
	return outcome{text: "certlint: no result for " + profile}
}

// compare judges one comparison: the verdicts agree, and when both fail,
// one of the checks the stack's error can mean failed in certlint, on the
// certificate the stack named when it named one.
func compare(sc string, c config, p, cl outcome) result {
	r := result{scenario: sc, config: c.name, probe: p, certlint: cl}
	switch {
	case p.ok != cl.ok:
		r.why = "verdict"
	case p.ok:
		r.agree = true
	case len(p.checks) == 0:
		r.why = "stack error not mapped to a check"
	default:
		for i, id := range cl.checks {
			for _, want := range p.checks {
				if id != want {
					continue
				}
				if len(p.index) == 0 || cl.index[i] < 0 || cl.index[i] == p.index[0] {
					r.agree = true
				}
			}
		}
		if !r.agree {
			r.why = "culprit"
		}
	}
	if !r.agree {
		r.known = knownDisagreement(sc, c.name, p, cl)
	}
	return r
}

func summarize(t *testing.T, results []result, scenarios []*scenario, configs []config) {
	order := map[string]int{}
	for i, sc := range scenarios {
		order[sc.name] = i
	}
	corder := map[string]int{}
	for i, c := range configs {
		corder[c.name] = i
	}
	sort.Slice(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if order[a.scenario] != order[b.scenario] {
			return order[a.scenario] < order[b.scenario]
		}
		return corder[a.config] < corder[b.config]
	})
	var b strings.Builder
	passed, failed, known := 0, 0, 0
	perConfig := map[string][3]int{}
	fmt.Fprintf(&b, "%-34s %-20s %-6s %-60s %s\n", "scenario", "configuration", "result", "stack", "certlint")
	for _, r := range results {
		status := "pass"
		pc := perConfig[r.config]
		switch {
		case r.agree:
			passed++
			pc[0]++
		case r.known != "":
			status = "KNOWN"
			known++
			pc[2]++
		default:
			status = "FAIL"
			failed++
			pc[1]++
			t.Errorf("%s / %s: %s disagreement: stack %q, certlint %q", r.scenario, r.config, r.why, r.probe.text, r.certlint.text)
		}
		perConfig[r.config] = pc
		fmt.Fprintf(&b, "%-34s %-20s %-6s %-60s %s\n", r.scenario, r.config, status, trim(r.probe.text, 60), r.certlint.text)
	}
	fmt.Fprintf(&b, "\n%-20s %7s %7s %7s\n", "configuration", "passed", "failed", "known")
	for _, c := range configs {
		pc := perConfig[c.name]
		fmt.Fprintf(&b, "%-20s %7d %7d %7d\n", c.name, pc[0], pc[1], pc[2])
	}
	if known > 0 {
		fmt.Fprintf(&b, "\nknown disagreements (not counted as passed):\n")
		for _, r := range results {
			if !r.agree && r.known != "" {
				fmt.Fprintf(&b, "  %s / %s: stack %q, certlint %q: %s\n", r.scenario, r.config, r.probe.text, r.certlint.text, r.known)
			}
		}
	}
	fmt.Fprintf(&b, "\n%d scenarios x %d configurations\n", len(scenarios), len(configs))
	if known > 0 {
		fmt.Fprintf(&b, "%d known disagreements\n", known)
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", passed, failed)
	if path := os.Getenv("CERTLINT_ORACLE_SUMMARY"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Log("\n" + b.String())
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// serveTLS starts a crypto/tls server for the scenario, behind a proxy
// that cuts handshake records when the scenario asks for it.
func serveTLS(t *testing.T, cfg *tls.Config, split int) string {
	addr := testpki.Serve(t, cfg)
	if split == 0 {
		return addr
	}
	return splitProxy(t, addr, split)
}
