package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// captureDir holds the checked-in captures (see its README.md).
var captureDir = filepath.Join("..", "..", "pkg", "chain", "testdata")

// TestPcapScripts runs the --pcap stories in testdata/pcap/*.txt. They
// need binary captures, which a txtar script cannot hold, so this setup
// copies the checked-in ones and cuts a truncated copy.
func TestPcapScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "pcap"),
		Setup: func(env *testscript.Env) error {
			for _, name := range []string{"tls12-two-handshakes.pcapng", "tls13-only.pcapng", "no-tls.pcapng", "capture-root.pem"} {
				data, err := os.ReadFile(filepath.Join(captureDir, name))
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(env.WorkDir, name), data, 0o644); err != nil {
					return err
				}
				if name == "tls12-two-handshakes.pcapng" {
					// cut inside the first connection's Certificate message
					if err := os.WriteFile(filepath.Join(env.WorkDir, "truncated.pcapng"), data[:len(data)/4], 0o644); err != nil {
						return err
					}
				}
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"exitcode": cmdExitCode},
	})
}
