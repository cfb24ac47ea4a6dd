package certlint

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/report"
)

// The libraries name paths and values, never the command line's flags:
// the command adds its flag's name (cmd/certlint flagged), so a library
// caller without flags reads no "--ca" and a story reads it once.
func TestLibraryErrorsNameNoFlag(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	notCert := filepath.Join(dir, "not-a-certificate.pem")
	if err := os.WriteFile(notCert, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := testpki.Root(testpki.Spec{CN: "Errors Root"})
	inter := root.Intermediate(testpki.Spec{CN: "Errors CA"})
	leafOnly := filepath.Join(dir, "leaf-and-intermediate.pem")
	if err := os.WriteFile(leafOnly, testpki.Chain{inter.Leaf(testpki.Spec{CN: "errors.test"}), inter}.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	errOf := func(_ any, err error) error { return err }
	check := func(req Request) error {
		req.Devices = []string{"all"}
		return CheckStream(context.Background(), req, func(report.TargetReport) error { return nil })
	}
	cases := map[string]error{
		"LoadCAFile missing":        errOf(chain.LoadCAFile(missing)),
		"LoadCAFile not a cert":     errOf(chain.LoadCAFile(notCert)),
		"LoadCAFile directory":      errOf(chain.LoadCAFile(dir)),
		"Lookup":                    errOf(report.Lookup("yaml")),
		"LoadBaseline missing":      errOf(report.LoadBaseline(missing)),
		"LoadBaseline not a report": errOf(report.LoadBaseline(notCert)),
		"ReadTargetsFile missing":   errOf(ReadTargetsFile(missing, nil)),
		"ReadTargetsFile no stdin":  errOf(ReadTargetsFile("-", nil)),
		"ParseShard":                errOf(ParseShard("3/2")),
		"loadClientCert missing":    errOf(loadClientCert(missing)),
		"loadClientCert not a cert": errOf(loadClientCert(notCert)),
		"CheckStream CA file":       CheckStream(context.Background(), Request{ChainFile: notCert, CAFiles: []string{missing}, Devices: []string{"all"}}, nil),
		"CheckStream client cert":   CheckStream(context.Background(), Request{ChainFile: notCert, ClientCert: notCert, Devices: []string{"all"}}, nil),
		"CheckStream chain":         check(Request{ChainFile: notCert}),
		"CheckStream pcap missing":  check(Request{PcapFile: missing}),
		"CheckStream pcap not pcap": check(Request{PcapFile: notCert}),
		"CheckStream pin file":      check(Request{ChainFile: notCert, PinFile: missing}),
		"CheckStream warn days":     check(Request{ChainFile: notCert, WarnDays: -1}),
		"CheckStream resolver":      check(Request{Targets: []string{"a.test"}, Resolver: "bogus"}),
		"CheckStream nothing":       check(Request{}),
		"ExportRoot nothing":        errOf(ExportRoot(context.Background(), RootRequest{Device: "wipy"})),
		"ExportRoot two inputs":     errOf(ExportRoot(context.Background(), RootRequest{Target: "a.test", ChainFile: notCert, Device: "wipy"})),
		"ExportRoot devices":        errOf(ExportRoot(context.Background(), RootRequest{ChainFile: notCert, Device: "wipy,esp8266"})),
		"ExportRoot chain":          errOf(ExportRoot(context.Background(), RootRequest{ChainFile: missing, Device: "wipy"})),
		"ExportRoot pcap":           errOf(ExportRoot(context.Background(), RootRequest{PcapFile: notCert, Device: "wipy"})),
		"ExportRoot resolver":       errOf(ExportRoot(context.Background(), RootRequest{Target: "a.test", Resolver: "bogus", Device: "wipy"})),
		"ParsePinArgs":              errOf(ParsePinArgs([]string{"zz"}, "")),
		"ExportRoot no root":        errOf(ExportRoot(context.Background(), RootRequest{ChainFile: leafOnly, Device: "wipy"})),
		"WriteFile exists":          errOf((&RootExport{FileName: "not-a-certificate.pem"}).WriteFile(dir, false)),
	}
	for name, err := range cases {
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if strings.Contains(err.Error(), "--") {
			t.Errorf("%s: %q names a flag", name, err)
		}
	}
	// A command names its flag from the field; a sentinel stands for what
	// no single field holds.
	for name, field := range map[string]string{
		"CheckStream CA file": "CAFiles", "CheckStream client cert": "ClientCert",
		"CheckStream chain": "ChainFile", "CheckStream pcap missing": "PcapFile", "CheckStream pcap not pcap": "PcapFile",
		"CheckStream pin file": "PinFile", "CheckStream warn days": "WarnDays", "CheckStream resolver": "Resolver",
		"ExportRoot devices": "Device", "ExportRoot chain": "ChainFile", "ExportRoot pcap": "PcapFile", "ExportRoot resolver": "Resolver",
	} {
		var in *InputError
		if err := cases[name]; !errors.As(err, &in) || in.Field != field {
			t.Errorf("%s: %v: want an *InputError for %s", name, err, field)
		}
	}
	for name, want := range map[string]error{
		"CheckStream nothing": ErrNoInput, "ExportRoot nothing": ErrNoInput,
		"ExportRoot two inputs": ErrManyInputs, "WriteFile exists": fs.ErrExist,
	} {
		if err := cases[name]; !errors.Is(err, want) {
			t.Errorf("%s: %v: want %v", name, err, want)
		}
	}
	if err := cases["ExportRoot no root"]; !errors.As(err, new(*RootNotFound)) {
		t.Errorf("ExportRoot no root: %v: want a *RootNotFound", err)
	}
}
