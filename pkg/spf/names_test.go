package spf

import "testing"

// presentName escapes what miekg/dns escapes in presentation form, and
// hands a name with nothing to escape back as it is, without a copy.
func TestPresentName(t *testing.T) {
	for in, want := range map[string]string{
		"_spf.shop.example":      "_spf.shop.example",
		"a b.example":            `a\ b.example`,
		`q"u;o(t)e@'\.x`:         `q\"u\;o\(t\)e\@\'\\.x`,
		"ctl\x01.del\x7f.hi\xff": `ctl\001.del\127.hi\255`,
		"":                       "",
	} {
		if got := presentName(in); got != want {
			t.Errorf("presentName(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { presentName("_spf.shop.example") }); n != 0 {
		t.Errorf("a plain name costs %v allocations", n)
	}
}
