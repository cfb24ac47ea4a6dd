package certlint

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCheckOffline is the work of one offline check after start-up:
// the examples/ Bing chain of 2019 (leaf, Microsoft IT TLS CA 4, Baltimore
// root) read, parsed, every built-in device's path built and its checks
// run (-d all), as `certlint check --chain examples/bing-2019.pem -d all`
// does. After the first iteration the once-per-process work (profiles,
// root stores) is done, so it also stands for the per-target part of a
// batch run that is not the handshakes.
func BenchmarkCheckOffline(b *testing.B) {
	req := Request{
		ChainFile:  "../../examples/bing-2019.pem",
		ServerName: "www.bing.com",
		At:         time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC),
		Devices:    []string{"all"},
	}
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Check(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Reports) != 1 || len(rep.Reports[0].Devices) < 2 {
			b.Fatalf("report: %d targets", len(rep.Reports))
		}
	}
}
