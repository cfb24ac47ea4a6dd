package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestHelpExamples runs every example of every command's --help, from a
// directory holding the repository's examples/, so an example can never
// name a file or flag that does not exist. Examples that dial a server are
// given a resolver that knows no name: they must get as far as resolving
// (exit 2 with "resolve HOST"), which proves every flag and argument was
// accepted; the others must run to a verdict (exit 0 or 1).
func TestHelpExamples(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(mustAbs(t, filepath.Join(repoRoot, "examples")), filepath.Join(dir, "examples")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	resolver := nxdomainServer(t)
	var n int
	walkCommands(newRootCmd(nil, nil, nil), func(c *cobra.Command) {
		for _, line := range strings.Split(c.Example, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "certlint ") {
				continue
			}
			n++
			args := shellWords(t, strings.TrimPrefix(line, "certlint "))
			sub, _, err := newRootCmd(nil, nil, nil).Find(args)
			if err != nil {
				t.Errorf("%s: %v", line, err)
				continue
			}
			if sub.Flags().Lookup("resolver") != nil {
				args = append(args, "--resolver", resolver, "--timeout", "2s")
			}
			var stdout, stderr strings.Builder
			code := run(args, strings.NewReader(""), &stdout, &stderr)
			dials := strings.Contains(stderr.String(), ": resolve ")
			switch {
			case dials && code == exitError && strings.Count(strings.TrimSpace(stderr.String()), "\n")+1 == strings.Count(stderr.String(), "certlint: "):
			case !dials && (code == exitPass || code == exitFail) && !strings.Contains(stderr.String(), "certlint: "):
			default:
				t.Errorf("example %q (from %q --help) exited %d\nstdout:\n%s\nstderr:\n%s", line, c.CommandPath(), code, stdout.String(), stderr.String())
			}
		}
	})
	if n < 10 {
		t.Fatalf("only %d examples found", n)
	}
}

func walkCommands(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		walkCommands(sub, f)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// shellWords splits an example line as a shell would: words, with "…"
// and '…' quoting.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unbalanced quote in example %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// nxdomainServer answers every DNS query with "no such name".
func nxdomainServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetRcode(q, dns.RcodeNameError)
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.ShutdownContext(context.Background()) })
	return pc.LocalAddr().String()
}

// TestFlagValueNames: the word in backquotes in a flag's usage becomes the
// value name in --help (--baseline FILE); it must be one upper-case word,
// not a phrase quoted for another reason.
func TestFlagValueNames(t *testing.T) {
	walkCommands(newRootCmd(nil, nil, nil), func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			if name != "" && (strings.ContainsAny(name, " -") || strings.ToUpper(name) != name) {
				t.Errorf("%s --%s shows the value name %q", c.CommandPath(), f.Name, name)
			}
		})
	})
}
