package resolver_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

const releaseZone = `@ SOA ns.release.example. h.release.example. 1 3600 600 86400 300
@ MX 10 mx
@ MX 20 mx2.elsewhere.example.
@ TXT "v=spf1 -all"
mx A 192.0.2.1
mx AAAA 2001:db8::1
alias CNAME mx
s1._domainkey TXT "v=DKIM1; k=rsa; p=AAAA" "BBBB"
`

// The blocks that replies are parsed into are recycled once a lookup has
// read its reply: answers got before must come out of a thousand later
// replies (parsed into those same blocks) unchanged, through Lookup and
// LookupBatch alike.
func TestAnswersOutliveTheirReplyBlocks(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("release.example.", releaseZone))
	c, err := resolver.NewClient(srv.ClientOptions())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	qs := []resolver.Question{
		{Name: "release.example", Type: dns.TypeMX},
		{Name: "release.example", Type: dns.TypeTXT},
		{Name: "mx.release.example", Type: dns.TypeA},
		{Name: "mx.release.example", Type: dns.TypeAAAA},
		{Name: "alias.release.example", Type: dns.TypeA},
		{Name: "s1._domainkey.release.example", Type: dns.TypeTXT},
		{Name: "missing.release.example", Type: dns.TypeTXT}, // NXDOMAIN, with the SOA
		{Name: "mx.release.example", Type: dns.TypeTXT},      // NODATA
	}
	var kept []resolver.Result
	for _, q := range qs {
		ans, err := c.Lookup(ctx, q.Name, q.Type)
		kept = append(kept, resolver.Result{Answer: ans, Err: err})
	}
	kept = append(kept, resolver.LookupBatch(ctx, c, qs, 0)...)
	want := make([]outcome, len(kept))
	for i, r := range kept {
		want[i] = outcomeOf(r)
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Answer.Name, r.Err)
		}
	}

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			more := make([]resolver.Question, 25)
			for round := range 10 {
				for i := range more {
					more[i] = resolver.Question{Name: fmt.Sprintf("n%d-%d-%d.release.example", g, round, i), Type: dns.TypeTXT}
				}
				resolver.LookupBatch(ctx, c, more, 0)
				for _, q := range qs {
					_, _ = c.Lookup(ctx, q.Name, q.Type)
				}
			}
		})
	}
	wg.Wait()
	for i, r := range kept {
		if got := outcomeOf(r); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%s %s changed after later replies:\n now    %+v\n before %+v", r.Answer.Name, resolver.TypeString(r.Answer.Type), got, want[i])
		}
	}
}
