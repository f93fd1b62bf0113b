package cli

import (
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/i18n"
)

// The spf and dmarc commands in French, on the bundled zones, in text and
// Markdown: no catalog English left, no message key shown.
func TestSPFAndDMARCInFrench(t *testing.T) {
	cases := [][]string{
		{"spf", "heavy.example", "--zone", "../../testdata/zones/spf-too-many-lookups.zone"},
		{"spf", "glued.example", "--zone", "../../testdata/zones/spf-split-glued.zone", "--ip", "192.0.2.1"},
		{"spf", "loop.example", "--zone", "../../testdata/zones/spf-loop.zone"},
		{"spf", "void.example", "--zone", "../../testdata/zones/spf-void.zone"},
		{"spf", "chain.example", "--zone", "../../testdata/zones/spf-chain.zone", "--ip", "203.0.113.9"},
		{"dmarc", "shop.example", "--zone", "../../testdata/zones/shop.example.zone"},
		{"dmarc", "parked.example", "--zone", "../../testdata/zones/parked-not-yet.zone"},
	}
	for _, c := range cases {
		for _, format := range []string{"text", "markdown"} {
			args := append(append([]string(nil), c...), "--lang", "fr", "--format", format)
			r := run(t, args...)
			out := r.stdout + r.stderr
			if left := i18n.EnglishIn(out); len(left) > 0 {
				t.Errorf("%v: English left: %q", args, left)
			}
			for _, key := range []string{"spf.", "dmarc."} {
				for _, line := range strings.Split(out, "\n") {
					// A finding's ID is shown; a key would be followed by
					// more of itself (spf.note, dmarc.summary.policy).
					if i := strings.Index(line, key); i >= 0 && (strings.Contains(line, key+"summary") || strings.Contains(line, key+"note") || strings.Contains(line, key+"label") || strings.Contains(line, key+"where")) {
						t.Errorf("%v: message key shown: %q", args, line)
					}
				}
			}
		}
	}
}
