package report_test

import (
	"reflect"
	"testing"

	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

// TestDeviceHelloNotes: a device's tls carries its hello's notes but for
// those the target already has, and the hello's request for a client
// certificate only when the generic handshake saw none.
func TestDeviceHelloNotes(t *testing.T) {
	capped := "the server sent 70 certificates; only the first 64 were examined"
	asked := &chain.ClientCertRequest{Policy: chain.ClientCertUnknown, Detail: "certlint ended the handshake after the server's first flight"}
	required := &chain.ClientCertRequest{Policy: chain.ClientCertRequired, Alert: "certificate_required", Detail: "refused", AcceptableCAs: []string{"CN=Device CA"}}
	cases := []struct {
		name    string
		generic *chain.Handshake
		hello   chain.Handshake
		want    []string
	}{
		{"the target's note is not repeated", &chain.Handshake{Notes: []string{capped}}, chain.Handshake{Notes: []string{capped}}, nil},
		{"a note of the hello's own is kept", &chain.Handshake{}, chain.Handshake{Notes: []string{capped}}, []string{capped}},
		{"the generic handshake learned more", &chain.Handshake{ClientCert: required, Notes: []string{required.Note()}}, chain.Handshake{ClientCert: asked}, nil},
		{"only the hello was asked", &chain.Handshake{}, chain.Handshake{ClientCert: asked}, []string{asked.Note()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obs := &chain.Observation{Target: "device.test", TLS: tc.generic, Notes: tc.generic.Notes}
			res := []constraints.DeviceResult{{Device: "spwf04", Verdict: constraints.Pass}}
			tr := report.NewTargetReport(obs, res, []*chain.HelloResult{{Handshake: tc.hello}})
			d := tr.Devices[0].TLS
			if !reflect.DeepEqual(d.Notes, tc.want) {
				t.Errorf("device notes %q, want %q", d.Notes, tc.want)
			}
			if (d.ClientCertificate != nil) != (tc.hello.ClientCert != nil) {
				t.Errorf("device client_certificate %+v, want it when the hello was asked", d.ClientCertificate)
			}
		})
	}
	obs := &chain.Observation{TLS: &chain.Handshake{ClientCert: required}}
	tls := report.NewTargetReport(obs, nil, nil).TLS.ClientCertificate
	want := &report.ClientCertificate{Policy: "required", Alert: "certificate_required", Detail: "refused", AcceptableCAs: []string{"CN=Device CA"}}
	if !reflect.DeepEqual(tls, want) {
		t.Errorf("target client_certificate %+v, want %+v", tls, want)
	}
}
