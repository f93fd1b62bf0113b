package mtasts

import (
	"reflect"
	"testing"
)

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{"v=STSv1; id=20160831085700Z;", "v=STSv1;id=a;x=y", "v=STSv1", "v=STSv1; id=a;; ", "v=STSv1 ; id=a ; e-x.t=!~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := ParseRecord(s)
		if err != nil {
			return
		}
		again, err := ParseRecord(rec.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, rec.String(), err)
		}
		if !reflect.DeepEqual(rec, again) {
			t.Fatalf("round trip changed %+v into %+v", rec, again)
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
		"version: STSv1\nmode: none\nmax_age: 0",
		"version: STSv1\nmode: testing\nmode: enforce\nmx: a\nx: y: z\n\n",
		"max_age: 99999999999\nmx: *.*.a\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePolicy(s)
		if err != nil {
			return
		}
		again, err := ParsePolicy(p.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, p.String(), err)
		}
		p.Duplicates = nil // String writes each key once
		if !reflect.DeepEqual(p, again) {
			t.Fatalf("round trip changed %+v into %+v", p, again)
		}
	})
}
