package spf

import (
	"testing"
)

// FuzzParse: no panic, and whatever parses serializes to a record that
// parses to the same serialization (parse -> String -> parse is stable).
// Work is bounded: a record is at most one TXT RRset, far below 64 KiB.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=spf1",
		"v=spf1 -all",
		"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.com ~all",
		"v=spf1 a:mail.example.com/24//64 mx/28 ptr:example.com exists:%{ir}.%{l1r+-}._spf.%{d} ?all",
		"v=spf1 redirect=_spf.example.com exp=explain.%{d} moo.cow-far_out=man:dog/cat",
		"v=spf1 include:x.example~all",
		"v=spf1 a//0 a/0 mx:%{d}. -ALL",
		"v=spf1 exists:%{t}.example.com",
		"v=spf1 exists:%{d99999999999}.example.com",
		"v=spf1 exp=%%%_%-",
		"v=spf1 ip4:1.2.3.4/032 ip6:::ffff:1.2.3.4/128",
		"v=spf1 a:\x80.example\t-all",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		rec, err := Parse(s)
		if err != nil {
			return
		}
		out := rec.String()
		rec2, err := Parse(out)
		if err != nil {
			t.Fatalf("%q parsed, but its serialization %q does not: %v", s, out, err)
		}
		if out2 := rec2.String(); out2 != out {
			t.Fatalf("unstable: %q -> %q -> %q", s, out, out2)
		}
		if len(rec2.Terms) != len(rec.Terms) {
			t.Fatalf("%q: %d terms, reparsed %d", s, len(rec.Terms), len(rec2.Terms))
		}
	})
}
