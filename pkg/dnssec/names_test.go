package dnssec

import (
	"testing"

	"github.com/miekg/dns"
)

// inZone and lastLabel agree with miekg/dns's label splitting, escapes
// included.
func TestNameHelpersAgreeWithDNS(t *testing.T) {
	names := []string{".", "com.", "example.com.", "shop.example.com.", "xexample.com.", "a.xexample.com.",
		`a\.example.com.`, `a\\.example.com.`, `a\\\.example.com.`, `example\.com.`, "mx.shop.example.", "shop.example.",
		"example.", "com.example.", `\046.example.com.`, "_25._tcp.mx.example.com."}
	for _, z := range names {
		for _, c := range names {
			if got, want := inZone(z, c), dns.IsSubDomain(z, c); got != want {
				t.Errorf("inZone(%q, %q) = %v, dns.IsSubDomain says %v", z, c, got, want)
			}
		}
		if z == "." {
			continue
		}
		labels := dns.SplitDomainName(z)
		if got, want := lastLabel(z), labels[len(labels)-1]+"."; got != want {
			t.Errorf("lastLabel(%q) = %q, want %q", z, got, want)
		}
	}
}
