package certlint

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	errOf := func(_ any, err error) error { return err }
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
	for field, err := range map[string]error{"CAFiles": cases["CheckStream CA file"], "ClientCert": cases["CheckStream client cert"]} {
		var in *InputError
		if !errors.As(err, &in) || in.Field != field {
			t.Errorf("%v: want an *InputError for %s", err, field)
		}
	}
}
