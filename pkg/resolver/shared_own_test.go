package resolver_test

import (
	"context"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

const ownZone = `@ SOA ns. h. 1 1 1 1 60
shop TXT "v=spf1 include:_spf.shared.example -all"
_dmarc.shop TXT "v=DMARC1; p=reject"
s1._domainkey.shop TXT "v=DKIM1; p="
_spf TXT "v=spf1 -all"
`

// Through Own, a domain's own names skip the shared cache (they are never
// kept, whoever asks them twice), with the same answers, and the other
// names are still shared.
func TestSharedCacheOwnNamesSkipTheCache(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("shared.example.", ownZone))
	shared := resolver.NewSharedCache(srv.Resolver(t), resolver.SharedCacheOptions{})
	ctx := context.Background()
	own := []resolver.Question{
		{Name: "shop.shared.example", Type: dns.TypeTXT},
		{Name: "_dmarc.SHOP.shared.example.", Type: dns.TypeTXT},
		{Name: "s1._domainkey.shop.shared.example", Type: dns.TypeTXT},
		{Name: "nx._domainkey.shop.shared.example", Type: dns.TypeTXT},
	}
	for round := range 3 {
		view := shared.Own("Shop.Shared.Example")
		for i, res := range resolver.Batch(ctx, view, own, 0) {
			want := resolver.Found
			if i == 3 {
				want = resolver.NXDomain
			}
			if res.Err != nil || res.Answer.Outcome != want {
				t.Fatalf("round %d, %s: %v %v, want %v", round, own[i].Name, res.Answer.Outcome, res.Err, want)
			}
		}
		if ans, err := view.Lookup(ctx, "shop.shared.example", dns.TypeTXT); err != nil || len(resolver.TXTRecords(ans)) != 1 {
			t.Fatalf("round %d: Lookup of the domain itself: %v %v", round, ans, err)
		}
		if rep, err := resolver.QueryDNSSEC(ctx, view, "shop.shared.example", dns.TypeTXT, false); err != nil || rep.Rcode != dns.RcodeSuccess {
			t.Fatalf("round %d: QueryDNSSEC of the domain itself: %v %v", round, rep.Rcode, err)
		}
		// Not its own: the parent's SPF include, and a name that only
		// ends like it (no label boundary).
		for _, name := range []string{"_spf.shared.example", "othershop.shared.example"} {
			if _, err := view.Lookup(ctx, name, dns.TypeTXT); err != nil {
				t.Fatal(err)
			}
		}
	}
	if st := shared.Stats(); st.Entries != 2 || st.Hits != 2 {
		t.Errorf("shared cache %+v; want only the 2 names not the domain's own kept, each answered from it once (the third round)", st)
	}
	// 3 rounds x (4 in the batch + Lookup + QueryDNSSEC) own questions,
	// each asked upstream every time, and 2 other names asked twice each
	// before they are kept.
	if q := srv.Queries(); q != 3*6+2*2 {
		t.Errorf("%d queries, want %d", q, 3*6+2*2)
	}
}

// A mixed batch goes through the shared cache whole (one round trip), and
// a name with an escaped dot is one label, not a subdomain: a batch of the
// domain itself and of such a name is mixed too.
func TestSharedCacheOwnMixedBatch(t *testing.T) {
	t.Parallel()
	for _, other := range []string{"_spf.shared.example", `a\.shop.shared.example`} {
		srv := dnstest.Start(t, dnstest.ZoneText("shared.example.", ownZone))
		shared := resolver.NewSharedCache(srv.Resolver(t), resolver.SharedCacheOptions{})
		qs := []resolver.Question{{Name: "shop.shared.example", Type: dns.TypeTXT}, {Name: other, Type: dns.TypeTXT}}
		for range 2 {
			for i, res := range resolver.Batch(context.Background(), shared.Own("shop.shared.example"), qs, 0) {
				if res.Err != nil {
					t.Fatalf("%s: %v", qs[i].Name, res.Err)
				}
			}
		}
		if st := shared.Stats(); st.Entries != 2 || st.Misses != 4 {
			t.Errorf("with %s: shared cache %+v; want both names asked through it twice (4 misses) and kept", other, st)
		}
	}
	shared := resolver.NewSharedCache(resolver.Resolver(nil), resolver.SharedCacheOptions{})
	if shared.Own(".") != resolver.Resolver(shared) || shared.Own("") != resolver.Resolver(shared) {
		t.Error("Own of the root or of nothing must be the shared cache itself")
	}
}
