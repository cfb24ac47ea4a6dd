package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/pin"
)

// writePinFixtures writes one server's leaf over time — issued 2026-01-10
// (pinned-2026.pem), renewed 2026-04-20 with the same key and with a new
// key — with the pins a device holds for the first one, and sets them in
// the environment: $OLD_SHA1 as setFingerprint takes it ("B8 4F 40 …"),
// $OLD_SHA1_COLON as a browser shows it, $OLD_KEY as an HPKP pin,
// $RENEWED_SHA1 for the renewal with the same key.
func writePinFixtures(env *testscript.Env) error {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	root := testpki.Root(testpki.Spec{CN: "certlint Pin Test Root", NotBefore: day(2020, 1, 1), NotAfter: day(2040, 1, 1)})
	inter := root.Intermediate(testpki.Spec{CN: "certlint Pin Test CA", NotBefore: day(2020, 1, 1), NotAfter: day(2035, 1, 1)})
	leaf := func(nb, na time.Time, slot string) *testpki.Cert {
		return inter.Leaf(testpki.Spec{CN: "pinned.test", DNSNames: []string{"pinned.test"}, NotBefore: nb, NotAfter: na, KeySlot: slot})
	}
	old := leaf(day(2026, 1, 10), day(2026, 7, 29), "")
	sameKey := leaf(day(2026, 4, 20), day(2026, 11, 6), "")
	newKey := leaf(day(2026, 4, 20), day(2026, 11, 6), "pinned.test rotated")
	oldT := pin.NewTarget(old.DER)
	files := map[string][]byte{
		"pinned-2026.pem":             testpki.Chain{old, inter}.PEM(),
		"pinned-renewed-same-key.pem": testpki.Chain{sameKey, inter}.PEM(),
		"pinned-renewed-new-key.pem":  testpki.Chain{newKey, inter}.PEM(),
		"pinned-2026-leaf.pem":        old.PEM(),
		"pinned-2026-key.pem":         []byte(pin.Format(oldT.Value(pin.PublicKey), pin.FormatPEMPublicKey) + "\n"),
		"pinned-root.pem":             root.PEM(),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(env.WorkDir, name), data, 0o644); err != nil {
			return err
		}
	}
	env.Setenv("OLD_SHA1", pin.Format(oldT.Value(pin.CertSHA1), pin.FormatHexSpaced))
	env.Setenv("OLD_SHA1_COLON", pin.Format(oldT.Value(pin.CertSHA1), pin.FormatHexColon))
	env.Setenv("OLD_KEY", pin.Format(oldT.Value(pin.SPKISHA256), pin.FormatHPKP))
	env.Setenv("RENEWED_SHA1", pin.Format(pin.NewTarget(sameKey.DER).Value(pin.CertSHA1), pin.FormatHexSpaced))
	return nil
}
