package certlint

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

// crossChain is a real chain that ends in a cross-signed root, with the
// two roots that each complete it and a day on which every certificate
// is valid.
type crossChain struct {
	file, name string
	roots      [2]string
	at         time.Time
}

var crossChains = []crossChain{
	{"le-2023-long-chain.pem", "tracker.mywaifu.best", [2]string{"isrg-root-x1.pem", "dst-root-ca-x3.pem"}, time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)},
	{"google-2023-gts-cross.pem", "www.google.com", [2]string{"gts-root-r1.pem", "globalsign-root-ca.pem"}, time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)},
	{"amazon-2024-starfield-cross.pem", "", [2]string{"amazon-root-ca-1.pem", "starfield-services-root-g2.pem"}, time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)},
	{"usertrust-ecc-2024-aaa-cross.pem", "", [2]string{"usertrust-ecc.pem", "aaa-certificate-services.pem"}, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)},
}

func crossFile(name string) string { return filepath.Join("..", "chain", "testdata", "cross", name) }

// TestCrossSignedChainsFindAPath is issue 11's acceptance test: on the
// Internet's commonest chains, which end in a cross-signed root, every
// built-in profile finds a path (the device holds the store root, or
// either of the two roots as its CA file, or a bundle), so neither
// chain-complete nor trust-anchor fails, and the certificate sent past
// the anchor is unused, not a missing intermediate.
func TestCrossSignedChainsFindAPath(t *testing.T) {
	reg, err := constraints.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	devices := strings.Join(reg.IDs(), ",")
	for _, cc := range crossChains {
		held := [][]string{nil, {crossFile(cc.roots[0])}, {crossFile(cc.roots[1])}, {crossFile("roots-bundle.pem")}, {crossFile(cc.roots[1]), crossFile(cc.roots[0])}}
		for _, cas := range held {
			t.Run(cc.file+"/"+strings.Join(names(cas), "+"), func(t *testing.T) {
				rep, err := Check(context.Background(), Request{ChainFile: crossFile(cc.file), ServerName: cc.name,
					CAFiles: cas, Devices: []string{devices}, At: cc.at})
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range rep.Reports[0].Devices {
					for _, f := range d.Findings {
						if (f.Check == "chain-complete" || f.Check == "trust-anchor") && f.Severity == constraints.Fail {
							t.Errorf("%s: %s fails: %s", d.Device, f.Check, f.Message)
						}
					}
				}
				if !hasRole(rep.Reports[0], "unused") && !holds(cas, cc.roots[1]) {
					t.Errorf("no certificate is unused; the cross-signed root past the anchor should be")
				}
			})
		}
	}
}

// holds reports whether the CA files include the root of the cross-sign,
// which puts the cross-signed certificate on the path.
func holds(cas []string, root string) bool {
	for _, c := range cas {
		if filepath.Base(c) == root {
			return true
		}
	}
	return false
}

func names(paths []string) []string {
	if len(paths) == 0 {
		return []string{"no-ca"}
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

func hasRole(tr report.TargetReport, role string) bool {
	for _, c := range tr.Chain {
		if c.Role == role {
			return true
		}
	}
	return false
}
