package authres

import (
	"reflect"
	"testing"
)

// Properties: no panic; a field that parses without problems parses to the
// same results from its String form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"mx.google.com; dkim=pass header.i=@a.example header.s=s1; spf=pass smtp.mailfrom=a@b.example",
		"example.org 1; none",
		`"x"; dkim/1=fail reason="a \"b\"" header.d=a.example (c (nested))`,
		"i=1; lists.example.org; arc=none",
		"a;;;", "(", `"`, "a; b=c d.e=", "a; b=c reason", "a; x=y p.q=\"unterminated",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (*Results, error){Parse, ParseARC} {
			r, err := parse(s)
			if err != nil || len(r.Problems) > 0 {
				continue
			}
			again, err := parse(r.String())
			if err != nil {
				t.Fatalf("String() %q does not parse: %v", r.String(), err)
			}
			// Comments are not rendered; compare without them.
			for i := range r.Methods {
				r.Methods[i].Comment = ""
			}
			for i := range again.Methods {
				again.Methods[i].Comment = ""
			}
			if !reflect.DeepEqual(r, again) {
				t.Fatalf("round trip of %q:\n%+v\n%+v", s, r, again)
			}
		}
	})
}

func FuzzParseReceivedSPF(f *testing.F) {
	f.Add("pass (a.example: x) client-ip=192.0.2.1; envelope-from=\"a@b\"; helo=h;")
	f.Add("fail receiver=x; =")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReceivedSPF(s)
		if err == nil && (len(r.Methods) != 1 || len(r.Methods[0].Props) > 48) {
			t.Fatalf("%+v", r)
		}
	})
}
