package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/certlint/certlint/pkg/report"
)

func newMergeCmd() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "merge REPORT...",
		Short: "Join the JSON reports of a sharded run (--shard I/N) into one report",
		Long: `Merge reads certlint reports written with -o json or -o jsonl, typically
one per shard of a run split with --shard I/N, and writes them as one report
in any output format: the reports of each file in the order the files are
given. The verdict and exit code are those of the whole run, as if one
certlint check had checked every target: 0 every device passes, 1 some
device fails, 2 some target could not be checked (or a file could not be
read). With --baseline, every target is compared with yesterday's report.

A target that appears in two files is an error: the same shard was given
twice, or shards of different splits were mixed.`,
		Example: `  # two jobs ran: certlint check --targets fleet.txt --shard 1/2 -o json (and --shard 2/2 -o jsonl)
  certlint merge examples/shard-1.json examples/shard-2.jsonl -o junit --output-file certlint.xml

  # compared with an earlier report (here: the first shard alone)
  certlint merge examples/shard-1.json examples/shard-2.jsonl --baseline examples/shard-1.json -o markdown`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "text", "output `FORMAT`: "+strings.Join(report.Formats(), ", "))
	fl.StringVar(&f.outputFile, "output-file", "", "write the report to `FILE` instead of stdout (an existing file only with --force)")
	fl.BoolVar(&f.force, "force", false, "let --output-file overwrite an existing file")
	fl.StringVar(&f.baseline, "baseline", "", "compare with a previous report in `FILE` (written by certlint check -o json) and show what changed per target")
	fl.BoolVar(&f.failOnChange, "fail-on-change", false, "exit 1 when anything changed since --baseline")
	fl.StringVar(&f.failOn, "fail-on", "fail", "exit 1 on `LEVEL`: fail, or warn to fail on warnings too")
	fl.BoolVar(&f.noColor, "no-color", false, "no colour in the text report (also NO_COLOR)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "list passing and skipped findings too")
	return cmd
}

func runMerge(cmd *cobra.Command, paths []string, f checkFlags) error {
	if f.outputFile == "-" { // stdout, as for check
		f.outputFile = ""
	}
	if f.failOn != "fail" && f.failOn != "warn" {
		return fmt.Errorf("--fail-on %q: want fail or warn", f.failOn)
	}
	if _, err := renderOptions(f); err != nil {
		return err
	}
	for _, p := range paths {
		if f.outputFile != "" && p == f.outputFile {
			return fmt.Errorf("--output-file %s is also a report to merge", p)
		}
	}
	ci, err := f.ciInputs(cmd.InOrStdin(), nil)
	if err != nil {
		return err
	}
	run, err := newReportRun(cmd.OutOrStdout(), f, ci.baseline)
	if err != nil {
		return err
	}
	if err := run.finish(report.MergeFiles(paths, run.add)); err != nil {
		return err
	}
	return run.exit(cmd.ErrOrStderr())
}
