package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/certlint/certlint/pkg/report"
)

// reportRun renders the reports of a run (check, merge) as they come: to
// stdout or --output-file, in the output format, compared with the
// baseline when there is one. It keeps the lines to print on stderr for
// targets that could not be checked, and turns the verdict into the exit
// code. Memory stays flat however many reports pass through.
type reportRun struct {
	f        checkFlags
	out      *lazyOutput
	stream   *report.Stream
	problems []string
}

func newReportRun(stdout io.Writer, f checkFlags, baseline *report.Report) (*reportRun, error) {
	opts, err := renderOptions(f)
	if err != nil {
		return nil, err
	}
	out := &lazyOutput{stdout: stdout, path: f.outputFile, force: f.force}
	stream, err := report.NewStream(out, f.output, opts)
	if err != nil {
		return nil, err
	}
	if baseline != nil {
		stream.SetBaseline(baseline)
	}
	return &reportRun{f: f, out: out, stream: stream}, nil
}

// add renders one report; an error means the report could not be written.
func (r *reportRun) add(t report.TargetReport) error {
	if t.Error != "" {
		r.problems = append(r.problems, fmt.Sprintf("certlint: %s: %s", report.Clean(t.Target), report.Clean(t.Error)))
	}
	if err := r.stream.Add(t); err != nil {
		return &writeError{err}
	}
	return nil
}

// finish ends the report. After a failure of the run (runErr) nothing more
// is written and a created --output-file is removed: no report rather
// than one that passes for the whole run. A failure to write is named
// with where the report was going.
func (r *reportRun) finish(runErr error) error {
	if runErr != nil {
		r.stream.Discard()
		r.out.Close()
		if r.out.file != nil {
			os.Remove(r.out.path)
		}
		var werr *writeError
		if errors.As(runErr, &werr) {
			return r.out.wrap(werr.err)
		}
		return runErr
	}
	err := r.stream.Close()
	if err == nil {
		_, err = r.out.Write(nil) // an empty report (-o jsonl of an empty shard) is still a file
	}
	if cerr := r.out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return r.out.wrap(err)
	}
	return nil
}

// exit prints the problems and returns the exit code as an error (nil for
// 0): the verdict, --fail-on, and --fail-on-change against the baseline.
func (r *reportRun) exit(stderr io.Writer) error {
	for _, p := range r.problems {
		fmt.Fprintln(stderr, p)
	}
	code := r.stream.ExitCode(r.f.failOn == "warn")
	if code == exitPass && r.f.failOnChange && r.stream.Changes() > 0 {
		fmt.Fprintf(stderr, "certlint: %d changes since the baseline (--fail-on-change)\n", r.stream.Changes())
		code = exitFail
	}
	if code != exitPass {
		return exitCodeError{code}
	}
	return nil
}

// writeError marks a failure to write the report, as opposed to a failure
// of the run.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }
