package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// A chain of 20 distinct aliases is too long to follow, not a loop; a
// chain that comes back to a name is a loop. Both over the wire and from
// zone files.
func TestAliasChainTooLongIsNotALoop(t *testing.T) {
	var b strings.Builder
	b.WriteString("$ORIGIN chain.example.\n")
	for i := range 20 {
		fmt.Fprintf(&b, "c%d CNAME c%d\n", i, i+1)
	}
	b.WriteString("c20 TXT \"end\"\nl1 CNAME l2\nl2 CNAME l1\n")
	srv := dnstest.Start(t, dnstest.ZoneText("chain.example.", b.String()))
	dir := t.TempDir()
	zoneFile := dir + "/chain.example.zone"
	if err := writeFile(zoneFile, b.String()); err != nil {
		t.Fatal(err)
	}
	z, err := resolver.LoadZones(zoneFile)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]resolver.Resolver{"client": srv.Resolver(t), "zones": z} {
		_, err := r.Lookup(context.Background(), "c0.chain.example.", dns.TypeTXT)
		if !errors.Is(err, resolver.ErrChainLong) || errors.Is(err, resolver.ErrCNAMELoop) || strings.Contains(err.Error(), "loop") {
			t.Errorf("%s: 20-deep chain: %v, want too long", name, err)
		}
		if _, err := r.Lookup(context.Background(), "l1.chain.example.", dns.TypeTXT); !errors.Is(err, resolver.ErrCNAMELoop) {
			t.Errorf("%s: loop: %v", name, err)
		}
		// A chain within the bound is followed.
		if ans, err := r.Lookup(context.Background(), "c15.chain.example.", dns.TypeTXT); err != nil || ans.Outcome != resolver.Found || len(ans.CNAMEs) != 5 {
			t.Errorf("%s: 5-deep chain: %+v %v", name, ans, err)
		}
	}
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }
