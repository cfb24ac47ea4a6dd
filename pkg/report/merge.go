package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// MergeFiles reads certlint reports (-o json documents or -o jsonl files,
// e.g. the shards of one run made with --shard) and hands their target
// reports to emit: file by file in the order given, each file's reports
// in their order. Reports are decoded one at a time, so merging any
// number of targets needs memory for one report (and one key per target
// to catch a report that appears in two files, which means the same shard
// was given twice or shards of different splits were mixed).
func MergeFiles(paths []string, emit func(TargetReport) error) error {
	if len(paths) == 0 {
		return errors.New("merge: give at least one report file")
	}
	seen := map[string]string{} // target + address -> file
	files := map[string]bool{}
	for _, path := range paths {
		if files[path] {
			return fmt.Errorf("merge: %s is given twice", path)
		}
		files[path] = true
		// Every file is looked at before anything is written, so a wrong
		// file name does not leave half a report behind.
		if err := checkHead(path); err != nil {
			return fmt.Errorf("merge %s: %w", path, err)
		}
	}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		err = ReadReports(f, func(t TargetReport) error {
			key := t.Target + "\x00" + t.Address
			if first, dup := seen[key]; dup && first != path {
				return fmt.Errorf("%s → %s is in %s and in %s: the same shard given twice, or shards of different --shard splits", Clean(t.Target), Clean(t.Address), first, path)
			}
			seen[key] = path
			return emit(t)
		})
		f.Close()
		if err != nil {
			return fmt.Errorf("merge %s: %w", path, err)
		}
	}
	return nil
}

// checkHead reads the start of a report file: a certlint object with the
// schema this certlint reads, or an empty file.
func checkHead(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(io.LimitReader(f, 1<<20)))
	_, err = openReport(dec)
	return err
}

// openReport reads up to the first key after "schema"; empty is true for
// an empty input.
func openReport(dec *json.Decoder) (empty bool, err error) {
	tok, err := dec.Token()
	if err == io.EOF {
		return true, nil // -o jsonl of a shard that held no target
	}
	if err != nil || tok != json.Delim('{') {
		return false, errors.New("not a certlint JSON report (certlint check -o json or -o jsonl)")
	}
	return false, readSchema(dec)
}

// ReadReports decodes a certlint report, the -o json document or -o jsonl
// lines (an empty file is JSON Lines without a line), and hands each
// target report to emit, one at a time. Another
// tool's JSON or another schema version is an error, as for a baseline.
func ReadReports(r io.Reader, emit func(TargetReport) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	// The key after "schema" tells the two apart: "verdict" and "reports"
	// for a document, "target" for a JSON Lines record.
	if empty, err := openReport(dec); empty || err != nil {
		return err
	}
	key, err := nextKey(dec)
	if err != nil {
		return err
	}
	if key == "target" {
		return readJSONLines(dec, emit)
	}
	for ; key != ""; key, err = nextKey(dec) {
		if key != "reports" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return errors.New(`"reports" is not a list`)
		}
		for dec.More() {
			var t TargetReport
			if err := dec.Decode(&t); err != nil {
				return fmt.Errorf("certlint JSON report: %w", err)
			}
			if err := emit(t); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	return err
}

// readSchema reads the "schema" key that opens every certlint object and
// checks its value.
func readSchema(dec *json.Decoder) error {
	key, err := nextKey(dec)
	if err != nil {
		return err
	}
	if key != "schema" {
		return errors.New(`not a certlint JSON report (certlint check -o json or -o jsonl): no "schema" field first`)
	}
	var schema string
	if err := dec.Decode(&schema); err != nil {
		return err
	}
	if schema != Schema {
		return fmt.Errorf("schema %q, this certlint reads %q", schema, Schema)
	}
	return nil
}

// nextKey reads the next key of an object, or "" at its end.
func nextKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("certlint JSON report: %w", err)
	}
	if tok == json.Delim('}') {
		return "", nil
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("certlint JSON report: unexpected %v", tok)
	}
	return key, nil
}

// readJSONLines reads -o jsonl: the decoder stands after the first
// record's "target" key; that record is finished by hand, the rest are
// decoded whole.
func readJSONLines(dec *json.Decoder, emit func(TargetReport) error) error {
	first := map[string]json.RawMessage{}
	var target string
	if err := dec.Decode(&target); err != nil {
		return err
	}
	for {
		key, err := nextKey(dec)
		if err != nil {
			return err
		}
		if key == "" {
			break
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		first[key] = v
	}
	first["target"], _ = json.Marshal(target)
	raw, _ := json.Marshal(first)
	var t TargetReport
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("certlint JSON Lines record 1: %w", err)
	}
	if err := emit(t); err != nil {
		return err
	}
	for n := 2; dec.More(); n++ {
		var rec struct {
			Schema string `json:"schema"`
			TargetReport
		}
		if err := dec.Decode(&rec); err != nil {
			return fmt.Errorf("certlint JSON Lines record %d: %w", n, err)
		}
		if rec.Schema != Schema {
			return fmt.Errorf("certlint JSON Lines record %d: schema %q, this certlint reads %q", n, rec.Schema, Schema)
		}
		if err := emit(rec.TargetReport); err != nil {
			return err
		}
	}
	return nil
}
