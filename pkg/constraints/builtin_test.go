package constraints

import (
	"reflect"
	"slices"
	"testing"
)

// TestBuiltinProfilesCiteEveryLimit loads every built-in profile and each
// firmware variant, and requires a source for every limit that is set: a
// device fact without a citation is a guess.
func TestBuiltinProfilesCiteEveryLimit(t *testing.T) {
	reg, err := LoadBuiltin()
	if err != nil {
		t.Fatalf("LoadBuiltin: %v", err)
	}
	ids := reg.IDs()
	for _, want := range []string{"spwf04", "spwf01", "cc3200", "wipy", "esp8266", "esp8266-micropython", "esp32", "nina-w10", "atwinc1500"} {
		if !slices.Contains(ids, want) {
			t.Errorf("built-in profile %s missing", want)
		}
	}
	for _, id := range ids {
		base, err := reg.Get(id)
		if err != nil {
			t.Fatalf("built-in profile %s missing: %v", id, err)
		}
		selectors := []string{id}
		for _, v := range base.Variants {
			selectors = append(selectors, id+"@"+v)
		}
		for _, sel := range selectors {
			p, err := reg.Get(sel)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.HelloSpec().Validate(); len(p.TLS.Versions) > 0 && err != nil {
				t.Errorf("%s: hello: %v", sel, err)
			}
			for _, field := range setFields(p) {
				if refs, _ := p.SourcesFor(field); len(refs) == 0 {
					t.Errorf("%s: %s is set but cites no source", sel, field)
				}
			}
		}
	}
	if p, _ := reg.Get("spwf04@1.0"); p == nil || p.Certificates.RSAMaxBits != 2048 {
		t.Errorf("spwf04@1.0 must limit RSA to 2048 bits (seed 002)")
	}
	if p, _ := reg.Get("spwf04"); p == nil || p.Certificates.MaxCertBytes != 2560 {
		t.Errorf("spwf04 must limit certificates to 2560 bytes (seed 000)")
	}
}

// setFields lists the dotted paths of every limit section field that holds
// a non-zero value.
func setFields(p *Profile) []string {
	var out []string
	for _, sec := range []struct {
		name string
		v    interface{}
	}{{"tls", p.TLS}, {"certificates", p.Certificates}, {"trust", p.Trust}, {"client", p.Client}, {"receive", p.Receive}} {
		rv := reflect.ValueOf(sec.v)
		for i := 0; i < rv.NumField(); i++ {
			tag := rv.Type().Field(i).Tag.Get("yaml")
			f := rv.Field(i)
			if tag == "" || tag == "-" || f.IsZero() || f.Kind() == reflect.Slice && f.Len() == 0 || f.Kind() == reflect.Bool && !f.Bool() {
				continue
			}
			out = append(out, sec.name+"."+tag)
		}
	}
	return out
}
