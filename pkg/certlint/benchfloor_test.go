package certlint

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestBenchFloorCountsTheHandshakesOfDashDAll keeps bench/run.sh's floor
// (f) honest: its default number of bare hellos is the number of
// handshakes `certlint check -d all` makes, one per distinct device
// ClientHello plus the generic one. A new built-in profile with a hello of
// its own changes it.
func TestBenchFloorCountsTheHandshakesOfDashDAll(t *testing.T) {
	profiles, err := selectProfiles(Request{Devices: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	hellos := map[string]bool{}
	for _, p := range profiles {
		if dialable(p) {
			hellos[p.HelloKey()] = true
		}
	}
	want := len(hellos) + 1
	script, err := os.ReadFile("../../bench/run.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`floor_hellos=\$\{BENCH_FLOOR_HELLOS:-(\d+)\}`).FindSubmatch(script)
	if m == nil {
		t.Fatal("bench/run.sh sets no default for BENCH_FLOOR_HELLOS")
	}
	if got, _ := strconv.Atoi(string(m[1])); got != want {
		t.Errorf("bench/run.sh's floor makes %d handshakes by default; certlint -d all makes %d (%d distinct device hellos + the generic one): update BENCH_FLOOR_HELLOS's default and its comments", got, want, len(hellos))
	}
}
