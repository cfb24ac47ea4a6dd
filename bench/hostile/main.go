// Command hostile measures the real certlint binary against each hostile
// server of internal/hostile on 127.0.0.1: exit code, wall time, peak
// memory (from /usr/bin/time) and the first line certlint printed to
// stderr. It prints a markdown table for the issue-7 closing note.
//
//	go build -o /tmp/certlint ./cmd/certlint
//	go run ./bench/hostile -certlint /tmp/certlint -timeout 5s
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/certlint/certlint/internal/hostile"
)

func main() {
	bin := flag.String("certlint", "certlint", "path of the certlint binary to measure")
	timeout := flag.Duration("timeout", 5*time.Second, "--timeout passed to certlint")
	device := flag.String("device", "all", "--device passed to certlint")
	flag.Parse()
	if err := run(*bin, *timeout, *device); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
}

func run(bin string, timeout time.Duration, device string) error {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return fmt.Errorf("need GNU time at /usr/bin/time: %w", err)
	}
	fmt.Printf("certlint check ADDR -d %s --timeout %s\n\n", device, timeout)
	fmt.Println("| server | exit | wall s | peak RSS MB | what certlint said |")
	fmt.Println("|---|---|---|---|---|")
	for _, mode := range hostile.Modes() {
		if mode == "record" {
			continue // measured by TestNoApplicationDataAfterHandshake
		}
		row, err := measure(bin, mode, timeout, device)
		if err != nil {
			return err
		}
		fmt.Println(row)
	}
	for _, c := range dnsCases {
		resolver, stop, err := startDNS(c.name == "silent")
		if err != nil {
			return err
		}
		row, err := measureArgs("dns "+c.name+" ("+c.what+")", timeout, bin, "check", c.host, "--resolver", resolver,
			"-d", device, "--timeout", timeout.String())
		stop()
		if err != nil {
			return err
		}
		fmt.Println(strings.ReplaceAll(row, resolver, "RESOLVER"))
	}
	return nil
}

// measure runs certlint once against a fresh server of the given mode.
func measure(bin, mode string, timeout time.Duration, device string) (string, error) {
	s, err := hostile.Start(mode)
	if err != nil {
		return "", err
	}
	defer s.Close()
	row, err := measureArgs(mode+" ("+hostile.Descriptions[mode]+")", timeout, bin, "check", s.Addr,
		"--servername", mode+".test", "-d", device, "--timeout", timeout.String())
	return strings.ReplaceAll(row, s.Addr, "ADDR"), err
}

// measureArgs runs certlint with args under /usr/bin/time and formats one
// table row. The run is killed at timeout+30s, so a hang shows as a row,
// not a stuck bench.
func measureArgs(label string, timeout time.Duration, bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/time", append([]string{"-f", "TIME %e %M", bin}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		return "", fmt.Errorf("%s: %w", label, err)
	}
	wall, rssKB, said := "?", 0, ""
	for _, line := range strings.Split(stderr.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "TIME "); ok {
			_, _ = fmt.Sscanf(rest, "%s %d", &wall, &rssKB)
		} else if said == "" && strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "Command exited") {
			said = strings.TrimSpace(line)
		}
	}
	if said == "" {
		said = firstVerdict(stdout.String())
	}
	return fmt.Sprintf("| %s | %d | %s | %.1f | %s |", label, code, wall, float64(rssKB)/1024, said), nil
}

// firstVerdict picks the lines of a text report that carry its outcome (the
// verdict line, notes, unparsed certificates), for a run that printed
// nothing on stderr.
func firstVerdict(report string) string {
	var keep []string
	for i, line := range strings.Split(report, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case i == 0:
			keep = append(keep, l[strings.LastIndex(l, " ")+1:])
		case strings.HasPrefix(l, "note:"), strings.Contains(l, " unparsed: "):
			keep = append(keep, truncate(l, 110))
		}
	}
	return strings.Join(keep, " / ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
