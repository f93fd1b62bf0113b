package resolver_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

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

// A reply that comes after its batch stopped waiting goes nowhere: not
// into the batch that follows on the same waiter, whose own answers stay
// its own.
func TestLateBatchRepliesGoNowhere(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("release.example.", releaseZone))
	srv.SetFault("s1._domainkey.release.example.", dns.TypeTXT, dnstest.Delay(150*time.Millisecond))
	srv.SetFault("release.example.", dns.TypeTXT, dnstest.Delay(80*time.Millisecond))
	o := srv.ClientOptions()
	o.Timeout, o.Retries = 100*time.Millisecond, -1
	c, err := resolver.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	late := []resolver.Question{
		{Name: "s1._domainkey.release.example", Type: dns.TypeTXT}, // answered after the timeout
		{Name: "mx.release.example", Type: dns.TypeA},
	}
	next := []resolver.Question{
		{Name: "release.example", Type: dns.TypeTXT}, // slow: open when the late reply comes
		{Name: "mx.release.example", Type: dns.TypeAAAA},
		{Name: "missing.release.example", Type: dns.TypeTXT},
	}
	for range 3 {
		got := resolver.LookupBatch(ctx, c, late, 0)
		if k := resolver.KindOf(got[0].Err); k != resolver.KindTimeout {
			t.Fatalf("late answer: %v (kind %q), want a timeout", got[0].Err, k)
		}
		if got[1].Err != nil || len(got[1].Answer.RRs) != 1 || got[1].Answer.RRs[0].(*dns.A).A.String() != "192.0.2.1" {
			t.Fatalf("%s: %+v, %v", late[1].Name, got[1].Answer, got[1].Err)
		}
		got = resolver.LookupBatch(ctx, c, next, 0)
		for i, want := range []string{"v=spf1 -all", "2001:db8::1", ""} {
			r := got[i]
			if r.Err != nil || r.Answer.Name != resolver.Canonical(next[i].Name) {
				t.Fatalf("%s: %+v, %v", next[i].Name, r.Answer, r.Err)
			}
			var s string
			switch rr := firstRR(r.Answer).(type) {
			case *dns.TXT:
				s = rr.Txt[0]
			case *dns.AAAA:
				s = rr.AAAA.String()
			}
			if s != want {
				t.Errorf("%s: %q, want %q", next[i].Name, s, want)
			}
		}
	}
}

func firstRR(a resolver.Answer) dns.RR {
	if len(a.RRs) == 0 {
		return nil
	}
	return a.RRs[0]
}
