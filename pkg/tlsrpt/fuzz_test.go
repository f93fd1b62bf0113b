package tlsrpt

import (
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=TLSRPTv1; rua=mailto:reports@example.com",
		"v=TLSRPTv1;rua=https://r.example/x,mailto:a@b.example; e=1;",
		"v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d.example",
		"v=TLSRPTv1",
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
