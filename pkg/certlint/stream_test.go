package certlint

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/certlint/certlint/pkg/report"
)

// CheckStream emits every report in input order, whatever order the
// targets finish in (refused addresses finish first), with a window far
// smaller than the batch.
func TestCheckStreamOrder(t *testing.T) {
	pass, fail, refused, caFile := batchServers(t)
	req := Request{Devices: []string{"spwf04"}, CAFiles: []string{caFile}, ServerName: "ok.test", Timeout: 5 * time.Second, Concurrency: 2}
	var want []string
	for i := 0; i < 60; i++ {
		target := []string{pass, refused, fail, refused, refused}[i%5]
		req.TargetList = append(req.TargetList, TargetSpec{Target: target})
		want = append(want, target)
	}
	var got []string
	err := CheckStream(context.Background(), req, func(tr report.TargetReport) error {
		got = append(got, tr.Target)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d reports for %d targets", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("report %d is %s, want %s (input order)", i, got[i], want[i])
		}
	}
}

// An error from emit (the report could not be written) stops the run and
// is returned; emit is not called again.
func TestCheckStreamEmitError(t *testing.T) {
	_, _, refused, _ := batchServers(t)
	req := Request{Devices: []string{"spwf04"}, Timeout: 5 * time.Second, Concurrency: 3}
	for i := 0; i < 40; i++ {
		req.TargetList = append(req.TargetList, TargetSpec{Target: refused})
	}
	stop := errors.New("disk full")
	calls := 0
	err := CheckStream(context.Background(), req, func(report.TargetReport) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Fatalf("err %v after %d calls, want %v after 3", err, calls, stop)
	}
}
