// Command certlint tells whether a server's TLS setup will work on a
// constrained device, and if not, which certificate or setting breaks which
// limit of the device.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/certlint/certlint/pkg/certlint"

	"github.com/spf13/cobra"
)

// Exit codes, a contract CI scripts rely on.
const (
	exitPass  = 0 // every device passes
	exitFail  = 1 // some device fails
	exitError = 2 // the check could not be done
)

// memoryLimit is the Go heap's soft limit unless GOMEMLIMIT says otherwise.
// Reports are streamed, so a batch's live heap stays around 20-30 MB; left
// to GOGC the heap grows to twice that and a 10,000-target run peaked at
// 100 MB RSS, with the limit at 75 MB for 10% more CPU. A run whose live
// heap needs more than the limit still gets it (the limit is soft).
const memoryLimit = 64 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// exitError carries the exit code of a command that ran to the end but
// must not exit 0 (a failing device).
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// inputFlags are the flags that fill the fields a certlint.InputError names.
var inputFlags = map[string]string{
	"CAFiles": "--ca", "CAFile": "--ca", "ClientCert": "--client-cert",
	"ChainFile": "--chain", "PcapFile": "--pcap", "PinFile": "--pin-file",
	"Resolver": "--resolver", "WarnDays": "--warn-days", "Device": "--device",
}

// flagged puts a flag's name in front of the library's error about the
// flag's value: "--ca x.pem: not a certificate" when the error starts with
// the value (or the value quoted), "--ca: open x.pem: no such file or
// directory" otherwise.
func flagged(flag, value string, err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, value+": ") || strings.HasPrefix(msg, strconv.Quote(value)+": ") {
		return fmt.Errorf("%s %w", flag, err)
	}
	return fmt.Errorf("%s: %w", flag, err)
}

// run executes the command line and returns the exit code. Errors are
// printed once, here, as one line on stderr.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(explainArgs(args))
	err := root.Execute()
	var ec exitCodeError
	switch {
	case err == nil:
		return exitPass
	case errors.As(err, &ec):
		return ec.code
	default:
		var in *certlint.InputError
		if errors.As(err, &in) {
			err = flagged(inputFlags[in.Field], in.Value, err)
		}
		fmt.Fprintf(stderr, "certlint: %v\n", err)
		return exitError
	}
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "certlint",
		Short: "Will this server's TLS work on this device?",
		Long: `certlint checks a server's TLS setup the way a constrained device sees it: the
chain as served, the names it resolves through, what the device's own
ClientHello negotiates and the trust anchor the device holds. When a device
would fail, it names the certificate or setting at fault, the device's limit,
the measured value, where the limit comes from, and the fix.`,
		Example: `  certlint check prax47.table.core.windows.net --device spwf04
  certlint check --chain examples/bing-2019.pem --servername www.bing.com --at 2019-06-01
  certlint profiles show spwf04`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("certlint {{.Version}}\n")
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(newCheckCmd(), newProfilesCmd(), newVersionCmd(), newExplainCmd(), newExportRootCmd(), newMergeCmd())
	setupCompletion(root)
	return root
}
