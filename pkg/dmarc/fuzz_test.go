package dmarc

import (
	"testing"
)

// FuzzParse: no panic; whatever parses serializes to text that parses to
// the same tags and the same effective policies.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=reject",
		"v=DMARC1; p=none; rua=mailto:a@b.example!10m,mailto:c@d.example; ruf=mailto:x@y.example; fo=0:1:d:s",
		"V = DMARC1 ; P = reject ;\tSP=none; unknown \t=\t x",
		"v=DMARC1; sp=reject; p=reject; np=none; psd=y; t=y; pct=0; ri=3600; rf=afrf",
		"v=DMARC1;;;", "v=DMARC1; p=", "v=DMARC1; rua=mailto:%zz@x!99999999999999999999t",
		"v=DMARC1; p=none; p=none", "v=DMARC1; =x", "v=DMARC1; p=quarantine; adkim=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		rec, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(rec.String())
		if err != nil {
			t.Fatalf("%q parsed, but its serialization %q does not: %v", s, rec.String(), err)
		}
		if again.String() != rec.String() {
			t.Fatalf("unstable: %q -> %q -> %q", s, rec.String(), again.String())
		}
		if again.EffectivePolicy() != rec.EffectivePolicy() || again.EffectiveNonexistentPolicy() != rec.EffectiveNonexistentPolicy() || len(again.Problems) != len(rec.Problems) {
			t.Fatalf("meaning changed: %q -> %q", s, rec.String())
		}
	})
}
