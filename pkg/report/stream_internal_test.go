package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// Past spoolMemory the spool moves to a temporary file; the document must
// come out the same as encoding/json writes it.
func TestSpoolToFile(t *testing.T) {
	defer func(n int) { spoolMemory = n }(spoolMemory)
	spoolMemory = 1024
	var reports []TargetReport
	for i := 0; i < 50; i++ {
		reports = append(reports, TargetReport{Target: "t" + string(rune('a'+i%26)), Host: "h", Port: 443, CheckedAt: time.Unix(0, 0).UTC(), Verdict: VerdictWarn, Notes: []string{"<note> & 'more'"}})
	}
	rep := New(reports)
	var got, want bytes.Buffer
	if err := WriteJSON(&got, rep); err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("spooled JSON differs from encoding/json:\n%s\nwant:\n%s", got.String(), want.String())
	}
}
