package certlint

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/report"
)

func TestParseTargets(t *testing.T) {
	in := "# production endpoints\n" +
		"\n" +
		"prax47.table.core.windows.net\n" +
		"  myhub.azure-devices.net:8883   spwf04,CC3200@1.0  # the hub\r\n" +
		"mqtts://broker.test wipy\n" +
		"\t\n" +
		"127.0.0.1:8443 # loopback\n"
	got, err := ParseTargets(strings.NewReader(in), "fleet.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []TargetSpec{
		{Target: "prax47.table.core.windows.net", Where: "fleet.txt:3"},
		{Target: "myhub.azure-devices.net:8883", Devices: []string{"spwf04", "cc3200@1.0"}, Where: "fleet.txt:4"},
		{Target: "mqtts://broker.test", Devices: []string{"wipy"}, Where: "fleet.txt:5"},
		{Target: "127.0.0.1:8443", Where: "fleet.txt:7"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseTargets =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseTargetsErrors(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"three fields", "a.test\nb.test spwf04 cc3200\n", "fleet.txt:2: 3 fields"},
		{"empty device", "# c\nb.test spwf04,,cc3200\n", `fleet.txt:2: device ""`},
		{"bad device", "b.test spw f04\n", "fleet.txt:1: 3 fields"},
		{"device with junk", "b.test spwf04;rm\n", `fleet.txt:1: device "spwf04;rm"`},
		{"bad port", "ok.test\nb.test:http\n", "fleet.txt:2: "},
		{"port out of range", "b.test:70000\n", "fleet.txt:1: "},
		{"only comments", "# nothing\n\n", "fleet.txt: no targets"},
		{"empty", "", "fleet.txt: no targets"},
		{"long line", "ok.test\n" + strings.Repeat("a", maxTargetLine+10) + "\n", "fleet.txt:2: line longer than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTargets(strings.NewReader(tt.in), "fleet.txt")
			if err == nil {
				t.Fatalf("no error, got %+v", got)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want it to start with %q", err, tt.want)
			}
		})
	}
}

func TestReadTargetsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(path, []byte("a.test\nb.test wipy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	specs, err := ReadTargetsFile(path, nil)
	if err != nil || len(specs) != 2 || specs[1].Where != path+":2" {
		t.Errorf("ReadTargetsFile = %+v, %v", specs, err)
	}
	specs, err = ReadTargetsFile("-", strings.NewReader("c.test:8883\n"))
	if err != nil || len(specs) != 1 || specs[0].Where != "stdin:1" {
		t.Errorf("ReadTargetsFile(-) = %+v, %v", specs, err)
	}
	if _, err := ReadTargetsFile(filepath.Join(t.TempDir(), "missing.txt"), nil); err == nil || !errors.As(err, new(*fs.PathError)) {
		t.Errorf("missing file: error %v, want an *fs.PathError", err)
	}
}

// FuzzParseTargets: any input gives targets or an error, never a panic,
// and every target it accepts parses again on its own.
func FuzzParseTargets(f *testing.F) {
	for _, seed := range []string{
		"a.test\n", "a.test:8883 spwf04,cc3200\n", "# c\n\nmqtts://b.test wipy # x\n",
		"a b c\n", "a.test ,,\n", "[::1]:443\n", "https://[::1]/path spwf04@1.0\r\n", "\x00\xff\n", ":443\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		specs, err := ParseTargets(strings.NewReader(in), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Errorf("error %q does not name the input", err)
			}
			return
		}
		if len(specs) == 0 {
			t.Fatal("no error and no targets")
		}
		for _, s := range specs {
			if s.Where == "" || s.Target == "" {
				t.Errorf("spec without target or position: %+v", s)
			}
			if _, _, err := parseTargetLine(s.Target + " " + strings.Join(s.Devices, ",")); err != nil && len(s.Devices) > 0 {
				t.Errorf("accepted %+v does not parse again: %v", s, err)
			}
		}
	})
}

// batchServers starts a server that passes spwf04 (small chain, its root
// held as the device's CA), one that fails it (a leaf over 2,560 bytes,
// seed 000) and an address that refuses connections.
func batchServers(t *testing.T) (pass, fail, refused, caFile string) {
	t.Helper()
	root := testpki.Root(testpki.Spec{CN: "Batch Root"})
	inter := root.Intermediate(testpki.Spec{CN: "Batch CA"})
	small := inter.Leaf(testpki.Spec{CN: "ok.test", DNSNames: []string{"ok.test"}})
	big := inter.Leaf(testpki.Spec{CN: "ok.test", DNSNames: append([]string{"ok.test"}, testpki.ManyNames("ok.test", 78)...)})
	pass = testpki.ServeChain(t, testpki.Chain{small, inter})
	fail = testpki.ServeChain(t, testpki.Chain{big, inter})
	ln := testpki.Listen(t)
	refused = ln.Addr().String()
	ln.Close()
	caFile = filepath.Join(t.TempDir(), "root.der")
	if err := os.WriteFile(caFile, root.DER, 0o644); err != nil {
		t.Fatal(err)
	}
	return pass, fail, refused, caFile
}

// TestBatchOrderExitCodeAndProgress runs mixed pass/fail/error targets at
// once: results keep the input order, every target is checked, the exit
// code is the worst (2 beats 1 beats 0), per-line devices apply to their
// target only, and progress counts every target and failure.
func TestBatchOrderExitCodeAndProgress(t *testing.T) {
	pass, fail, refused, caFile := batchServers(t)
	base := Request{Devices: []string{"spwf04"}, CAFiles: []string{caFile}, ServerName: "ok.test", Timeout: 5 * time.Second, Concurrency: 4}
	for _, tt := range []struct {
		name    string
		targets []string
		want    []string // verdicts in order
		code    int
	}{
		{"pass only", []string{pass, pass}, []string{"pass", "pass"}, 0},
		{"pass and fail", []string{fail, pass, fail}, []string{"fail", "pass", "fail"}, 1},
		{"error beats fail", []string{pass, refused, fail}, []string{"pass", "error", "fail"}, 2},
		{"error first", []string{refused, pass}, []string{"error", "pass"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := base
			var calls [][3]int
			req.Progress = func(done, total, failed int) { calls = append(calls, [3]int{done, total, failed}) }
			for i, target := range tt.targets {
				req.TargetList = append(req.TargetList, TargetSpec{Target: target, Where: "t:" + string(rune('1'+i))})
			}
			rep, err := Check(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			failed := 0
			for i, r := range rep.Reports {
				got = append(got, r.Verdict)
				if r.Target != tt.targets[i] {
					t.Errorf("report %d is %s, want %s (input order)", i, r.Target, tt.targets[i])
				}
				if r.Verdict == report.VerdictFail || r.Verdict == report.VerdictError {
					failed++
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("verdicts %v, want %v", got, tt.want)
			}
			if code := rep.ExitCode(false); code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			n := len(tt.targets)
			if len(calls) != n || calls[n-1] != [3]int{n, n, failed} {
				t.Errorf("progress calls %v, want %d ending at {%d %d %d}", calls, n, n, n, failed)
			}
			for i, c := range calls {
				if c[0] != i+1 {
					t.Errorf("progress call %d reports %d done", i, c[0])
				}
			}
		})
	}
}

// TestPerTargetDevices: a targets-file line's devices replace -d for that
// line only; Targets from the command line keep -d.
func TestPerTargetDevices(t *testing.T) {
	pass, fail, _, caFile := batchServers(t)
	rep, err := Check(context.Background(), Request{
		Targets:    []string{fail},
		TargetList: []TargetSpec{{Target: fail, Devices: []string{"wipy", "cc3200"}}, {Target: pass}},
		Devices:    []string{"spwf04"}, CAFiles: []string{caFile}, ServerName: "ok.test", Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"spwf04"}, {"wipy", "cc3200"}, {"spwf04"}}
	if len(rep.Reports) != len(want) {
		t.Fatalf("%d reports, want %d", len(rep.Reports), len(want))
	}
	for i, r := range rep.Reports {
		var got []string
		for _, d := range r.Devices {
			got = append(got, d.Device)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("report %d (%s) devices %v, want %v", i, r.Target, got, want[i])
		}
	}
	_, err = Check(context.Background(), Request{TargetList: []TargetSpec{{Target: pass, Devices: []string{"esp99"}, Where: "fleet.txt:7"}}})
	var ue *UsageError
	if err == nil || !strings.HasPrefix(err.Error(), "fleet.txt:7: ") || !errors.As(err, &ue) {
		t.Errorf("unknown device on a line: error %v, want a UsageError starting with fleet.txt:7", err)
	}
}
