package bimi

import (
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=BIMI1; l=https://shop.example/logo.svg; a=https://shop.example/vmc.pem",
		"v=BIMI1; l=; a=;",
		"v=BIMI1;l=https://a.example/x.svg;avp=brand;z=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(rec.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, rec.String(), err)
		}
		if !reflect.DeepEqual(rec, again) {
			t.Fatalf("round trip changed %+v into %+v", rec, again)
		}
	})
}

func FuzzCheckSVG(f *testing.F) {
	f.Add([]byte(goodSVG))
	f.Add([]byte(`<svg version="1.2"><title/></svg>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = CheckSVG(b) // must not panic or hang
	})
}
