package spf

import (
	"regexp"
	"testing"
)

// gluedAll is the regular expression it replaced, and mayEndInAll never
// rules out a term whose text ends in "all".
func TestGluedAllAsRegexp(t *testing.T) {
	re := regexp.MustCompile(`(?i)^.+[-+~?]all$`)
	cases := []string{"", "all", "-all", "a-all", "a~ALL", "include:x.example-all", "ip4:192.0.2.1~all", "mx?AlL", "mx+all",
		"a!all", "\n-all", "a\n-all", "é-all", "\xff-all", "a-al", "a-alll", "xall", "x:all", "-all-all", "a-aLl\n", "a-ałl", "ab–all"}
	for _, s := range cases {
		if got, want := gluedAll(s), re.MatchString(s); got != want {
			t.Errorf("gluedAll(%q) = %v, the regexp says %v", s, got, want)
		}
	}
	var terms []Term
	for _, v := range []string{"", "x-all", "x.example~ALL", "all", "x"} {
		for _, p := range [][2]int{{-1, -1}, {24, -1}, {-1, 64}, {24, 64}} {
			terms = append(terms, Term{Name: MechInclude, Value: v, Prefix4: p[0], Prefix6: p[1]},
				Term{Name: "xall", Modifier: true, Value: v, Prefix4: -1, Prefix6: -1},
				Term{Name: MechA, Value: v, Prefix4: p[0], Prefix6: p[1], Qualifier: QualifierFail, ExplicitQualifier: true})
		}
	}
	for _, term := range terms {
		if re.MatchString(term.String()) && !term.mayEndInAll() {
			t.Errorf("mayEndInAll(%q) is false", term.String())
		}
	}
}
