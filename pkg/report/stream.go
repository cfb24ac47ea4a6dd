package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
)

// JSONLines is the JSON Lines output format: one certlint/v1 target report
// per line, written as each target finishes, with "schema" in every line.
const JSONLines = "jsonl"

func init() {
	RegisterFormat(JSONLines, func(w io.Writer, r *Report, _ Options) error { return WriteJSONLines(w, r) })
}

// Stream renders a run's target reports one at a time, in the order they
// are added, so that a batch of any size holds only a few reports in
// memory. Text and JSON Lines are written as they come. The other formats
// open with what is known only at the end (the run's verdict, JUnit's
// totals, SARIF's invocation, which lists the targets that could not be
// checked): their rendered reports wait in a spool (memory, then an
// unlinked temporary file) and are copied after the head. A format
// registered without streaming support (RegisterFormat) gets the whole
// report at Close, so it alone holds every report in memory.
type Stream struct {
	w            io.Writer
	format       string
	opts         Options
	render       Renderer
	verdict      string
	counts       map[string]int
	n            int
	text         *textPrinter
	textBuf      *bufio.Writer // under text: one write per target
	spool        *spool
	kept         []TargetReport
	junit        junitSuites // totals only; the suites are in the spool
	sarif        *sarifRun   // rules and notifications; the results are in the spool
	sarifResults int
	baseline     baselineIndex
	changes      int
	err          error
	indentBuf    []byte // the last report indented (Stream.indented)
}

// NewStream starts a run's report in format (see Formats).
func NewStream(w io.Writer, format string, opts Options) (*Stream, error) {
	render, err := Lookup(format)
	if err != nil {
		return nil, err
	}
	s := &Stream{w: w, format: strings.ToLower(format), opts: opts, render: render, verdict: VerdictPass, counts: map[string]int{}}
	switch s.format {
	case "text":
		// A report is a hundred short lines: written one by one, they
		// were a hundred write calls (about 1 ms a run). Each target is
		// flushed whole instead, so a batch still shows it at once.
		s.textBuf = bufio.NewWriterSize(w, 32<<10)
		s.text = &textPrinter{w: s.textBuf, opts: opts.Text}
	case "json", "markdown", "junit":
		s.spool = &spool{}
	case "sarif":
		s.spool = &spool{}
		if s.sarif, err = newSARIFRun(opts); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// SetBaseline makes Add compare every report with the baseline run's
// report of the same target and address (see Report.Diff) and set its
// Changes.
func (s *Stream) SetBaseline(b *Report) { s.baseline = indexBaseline(b) }

// Add renders one target report.
func (s *Stream) Add(t TargetReport) error {
	if s.err != nil {
		return s.err
	}
	if s.baseline != nil {
		t.Changes = DiffTarget(s.baseline.find(&t), t)
		s.changes += len(t.Changes)
	}
	s.verdict = worse(s.verdict, t.Verdict)
	s.counts[t.Verdict]++
	s.n++
	switch s.format {
	case "text":
		if s.n > 1 {
			s.text.line("")
		}
		s.text.target(t)
		s.err = s.flushText()
	case JSONLines:
		s.err = writeJSONLine(s.w, t)
	case "json":
		s.err = s.spoolJSON(t)
	case "markdown":
		p := &mdPrinter{w: s.spool}
		p.line("")
		p.target(t)
		s.err = p.err
	case "junit":
		s.err = s.spoolJUnit(t)
	case "sarif":
		s.err = s.spoolSARIF(t)
	default:
		s.kept = append(s.kept, t)
	}
	return s.err
}

// flushText writes out the text buffered so far, and reports the first
// error of the text printer or of the writer.
func (s *Stream) flushText() error {
	if s.text.err != nil {
		return s.text.err
	}
	return s.textBuf.Flush()
}

// spoolJSON writes one report as an element of the document's "reports"
// array, indented as WriteJSON indents it.
func (s *Stream) spoolJSON(t TargetReport) error {
	sep := "\n    "
	if s.n > 1 {
		sep = ",\n    "
	}
	b, err := s.indented(t.plain(), "    ")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(s.spool, sep); err != nil {
		return err
	}
	_, err = s.spool.Write(b)
	return err
}

// Close writes what comes after the last report (the text summary, the
// document around the spooled reports) and releases the spool.
func (s *Stream) Close() error {
	defer s.spool.close()
	if s.err != nil {
		return s.err
	}
	switch s.format {
	case "text":
		if s.n > 1 {
			s.text.line("")
			s.text.line("%d targets: %d pass, %d warn, %d fail, %d error", s.n, s.counts[VerdictPass], s.counts[VerdictWarn], s.counts[VerdictFail], s.counts[VerdictError])
		}
		return s.flushText()
	case JSONLines:
		return nil
	case "json":
		if _, err := fmt.Fprintf(s.w, "{\n  \"schema\": %q,\n  \"verdict\": %q,\n  \"reports\": [", Schema, s.verdict); err != nil {
			return err
		}
		if err := s.spool.copyTo(s.w); err != nil {
			return err
		}
		end := "]\n}\n"
		if s.n > 0 {
			end = "\n  ]\n}\n"
		}
		_, err := io.WriteString(s.w, end)
		return err
	case "markdown":
		if _, err := fmt.Fprintf(s.w, "# certlint report: %s\n", strings.ToUpper(s.verdict)); err != nil {
			return err
		}
		return s.spool.copyTo(s.w)
	case "junit":
		return s.closeJUnit()
	case "sarif":
		return s.closeSARIF()
	}
	return s.render(s.w, &Report{Schema: Schema, Verdict: s.verdict, Reports: nonNilReports(s.kept)}, s.opts)
}

// spoolJUnit writes one report's testsuite, indented as WriteJUnit
// indents it inside <testsuites>, and adds it to the totals.
func (s *Stream) spoolJUnit(t TargetReport) error {
	suite := junitTarget(t, s.opts.FailOnWarn)
	s.junit.Tests += suite.Tests
	s.junit.Failures += suite.Failures
	s.junit.Errors += suite.Errors
	if _, err := io.WriteString(s.spool, "\n"); err != nil {
		return err
	}
	enc := xml.NewEncoder(s.spool)
	enc.Indent("  ", "  ")
	if err := enc.EncodeElement(suite, xml.StartElement{Name: xml.Name{Local: "testsuite"}}); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return nil
}

// closeJUnit writes <testsuites> with the totals around the spooled suites.
func (s *Stream) closeJUnit() error {
	var head bytes.Buffer
	s.junit.Name = "certlint"
	if err := xml.NewEncoder(&head).Encode(s.junit); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	open, closing, ok := strings.Cut(head.String(), "></")
	if !ok {
		return fmt.Errorf("junit: unexpected head %q", head.String())
	}
	if _, err := io.WriteString(s.w, xml.Header+open+">"); err != nil {
		return err
	}
	if err := s.spool.copyTo(s.w); err != nil {
		return err
	}
	end := "</" + closing + "\n"
	if s.n > 0 {
		end = "\n" + end
	}
	_, err := io.WriteString(s.w, end)
	return err
}

// indented encodes v as json.MarshalIndent(v, prefix, "  ") does, into a
// buffer the stream reuses from report to report (valid until the next
// call): a fast indenter and no fresh copy of each report.
func (s *Stream) indented(v any, prefix string) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s.indentBuf = appendIndented(s.indentBuf[:0], b, prefix, "  ")
	return s.indentBuf, nil
}

// sarifResultIndent is the indentation of an element of runs[0].results
// in WriteSARIF's output.
const sarifResultIndent = "        "

// spoolSARIF writes one report's results as elements of runs[0].results;
// a target that could not be checked becomes a notification of the run's
// invocation, which stays in memory.
func (s *Stream) spoolSARIF(t TargetReport) error {
	s.sarif.add(t)
	for _, res := range s.sarif.run.Results {
		b, err := s.indented(res, sarifResultIndent)
		if err != nil {
			return fmt.Errorf("sarif: %w", err)
		}
		sep := ",\n" + sarifResultIndent
		if s.sarifResults == 0 {
			sep = "\n" + sarifResultIndent
		}
		s.sarifResults++
		if _, err := io.WriteString(s.spool, sep); err != nil {
			return err
		}
		if _, err := s.spool.Write(b); err != nil {
			return err
		}
	}
	s.sarif.run.Results = s.sarif.run.Results[:0]
	return nil
}

// closeSARIF writes the log with its results taken from the spool.
func (s *Stream) closeSARIF() error {
	var doc bytes.Buffer
	if err := s.sarif.write(&doc); err != nil {
		return err
	}
	const empty = `"results": []`
	head, tail, ok := strings.Cut(doc.String(), empty)
	if !ok {
		return fmt.Errorf("sarif: no %s in the log", empty)
	}
	if s.sarifResults == 0 {
		_, err := io.WriteString(s.w, doc.String())
		return err
	}
	if _, err := io.WriteString(s.w, head+`"results": [`); err != nil {
		return err
	}
	if err := s.spool.copyTo(s.w); err != nil {
		return err
	}
	_, err := io.WriteString(s.w, "\n"+sarifResultIndent[2:]+"]"+tail)
	return err
}

// spoolMemory is how much rendered output a spool keeps in memory before
// it moves to a temporary file: a few hundred targets.
var spoolMemory = 4 << 20

// spool holds rendered reports until the document's head can be written:
// in memory while small, then in an unlinked temporary file, so memory
// stays flat however many targets a run has.
type spool struct {
	mem  bytes.Buffer
	file *os.File
	buf  *bufio.Writer
}

func (s *spool) Write(p []byte) (int, error) {
	if s.file == nil && s.mem.Len()+len(p) <= spoolMemory {
		return s.mem.Write(p)
	}
	if s.file == nil {
		f, err := os.CreateTemp("", "certlint-report-*")
		if err != nil {
			return 0, fmt.Errorf("report spool: %w", err)
		}
		_ = os.Remove(f.Name()) // unlinked: gone when closed, even after a crash
		s.file, s.buf = f, bufio.NewWriterSize(f, 64<<10)
		if _, err := s.buf.Write(s.mem.Bytes()); err != nil {
			return 0, fmt.Errorf("report spool: %w", err)
		}
		s.mem = bytes.Buffer{}
	}
	return s.buf.Write(p)
}

// copyTo writes everything spooled to w.
func (s *spool) copyTo(w io.Writer) error {
	if s.file == nil {
		_, err := w.Write(s.mem.Bytes())
		return err
	}
	if err := s.buf.Flush(); err != nil {
		return fmt.Errorf("report spool: %w", err)
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("report spool: %w", err)
	}
	_, err := io.Copy(w, s.file)
	return err
}

// close removes the temporary file, if there is one.
func (s *spool) close() {
	if s != nil && s.file != nil {
		s.file.Close()
	}
}

// Discard ends the stream without writing what Close would, and
// releases the spool.
func (s *Stream) Discard() { s.spool.close() }

// Len is the number of reports added so far.
func (s *Stream) Len() int { return s.n }

// Verdict is the run's verdict so far.
func (s *Stream) Verdict() string { return s.verdict }

// Changes is the number of changes from the baseline so far.
func (s *Stream) Changes() int { return s.changes }

// ExitCode maps the run's verdict to the exit-code contract, as
// Report.ExitCode does.
func (s *Stream) ExitCode(failOnWarn bool) int {
	return (&Report{Verdict: s.verdict}).ExitCode(failOnWarn)
}

// jsonLinePrefix opens every line of -o jsonl: the schema name first, so
// each line stands on its own.
var jsonLinePrefix = []byte(`{"schema":"` + Schema + `",`)

// writeJSONLine writes one target report as a JSON Lines record: the
// report's JSON object with "schema" added in front.
func writeJSONLine(w io.Writer, t TargetReport) error {
	b, err := json.Marshal(t.plain())
	if err != nil {
		return err
	}
	line := make([]byte, 0, len(jsonLinePrefix)+len(b))
	line = append(append(append(line, jsonLinePrefix...), b[1:]...), '\n')
	_, err = w.Write(line)
	return err
}

// renderAll renders a whole report through a Stream.
func renderAll(w io.Writer, format string, r *Report, opts Options) error {
	s, err := NewStream(w, format, opts)
	if err != nil {
		return err
	}
	for _, t := range r.Reports {
		if err := s.Add(t); err != nil {
			s.Close()
			return err
		}
	}
	return s.Close()
}

func nonNilReports(r []TargetReport) []TargetReport {
	if r == nil {
		return []TargetReport{}
	}
	return r
}

// WriteJSONLines renders the report as JSON Lines (-o jsonl).
func WriteJSONLines(w io.Writer, r *Report) error { return renderAll(w, JSONLines, r, Options{}) }
