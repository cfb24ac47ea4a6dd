package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/profiles"
)

// BenchmarkEvaluate runs every registered check on a three-certificate
// chain (leaf, RSA-4096 intermediate, store root) with a device hello, as
// one device of one target costs in a batch run.
func BenchmarkEvaluate(b *testing.B) {
	k := pki()
	p := testProfile()
	obs := observe(chainOf(k.leafUnder4096, k.inter4096), k.root, chain.SourceStore)
	obs.ServerName = "hub.example.net"
	obs = withHello(obs, p, chain.Handshake{Version: "TLS1.2", CipherSuite: "TLS_RSA_WITH_AES_128_CBC_SHA"}, k.leafUnder4096, k.inter4096)
	if res := Evaluate(obs, p); len(res.Findings) < len(Checks()) {
		b.Fatalf("%d findings from %d checks", len(res.Findings), len(Checks()))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Evaluate(obs, p)
	}
}

// BenchmarkLoadBuiltin is what every run pays to get all built-in profiles
// (-d all): the build-time snapshot.
func BenchmarkLoadBuiltin(b *testing.B) {
	for b.Loop() {
		reg, err := LoadBuiltin()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := reg.Select(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadBuiltinYAML is the same from the YAML files, what every run
// paid before the snapshot (and what the snapshot is made from).
func BenchmarkLoadBuiltinYAML(b *testing.B) {
	for b.Loop() {
		reg, err := LoadFS(profiles.FS, "profiles/")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := reg.Select(nil); err != nil {
			b.Fatal(err)
		}
	}
}
