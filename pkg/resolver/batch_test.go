package resolver_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

const batchZone = `@ SOA ns. h. 1 1 1 1 1
s1._domainkey TXT "v=DKIM1; k=rsa; p=AAAA"
two._domainkey TXT "v=DKIM1; p=" "BBBB"
alias._domainkey CNAME s1._domainkey
loop1._domainkey CNAME loop2._domainkey
loop2._domainkey CNAME loop1._domainkey
away._domainkey CNAME s1._domainkey.elsewhere.example.
nodata._domainkey A 192.0.2.1
big._domainkey TXT "big"
tc._domainkey TXT "after truncation"
slow._domainkey TXT "slow"
fail._domainkey TXT "never seen"
refused._domainkey TXT "never seen"
`

// batchQuestions covers every outcome a question can have: records, an
// alias, NXDOMAIN, NODATA, a loop, an alias out of the server's data,
// SERVFAIL, REFUSED, silence (timeout after the retry), truncation (TCP), a
// slow answer, an answer over the size bound, a name that cannot be sent,
// one that Pack must escape, and a question asked twice in one batch.
var batchQuestions = []resolver.Question{
	{Name: "s1._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "two._domainkey.batch.example.", Type: dns.TypeTXT},
	{Name: "ALIAS._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "missing._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "nodata._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "loop1._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "away._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "fail._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "refused._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "silent._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "tc._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "slow._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "big._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "bad..batch.example", Type: dns.TypeTXT},
	{Name: `we\.ird._domainkey.batch.example`, Type: dns.TypeTXT},
	{Name: "s1._domainkey.batch.example", Type: dns.TypeTXT},
	{Name: "nodata._domainkey.batch.example", Type: dns.TypeA},
}

func batchServer(t *testing.T) *dnstest.Server {
	srv := dnstest.Start(t, dnstest.ZoneText("batch.example.", batchZone))
	srv.SetFault("fail._domainkey.batch.example.", dns.TypeTXT, dnstest.ServFail)
	srv.SetFault("refused._domainkey.batch.example.", dns.TypeTXT, dnstest.Refused)
	srv.SetFault("silent._domainkey.batch.example.", dns.TypeTXT, dnstest.Silence)
	srv.SetFault("tc._domainkey.batch.example.", dns.TypeTXT, dnstest.Truncate)
	srv.SetFault("slow._domainkey.batch.example.", dns.TypeTXT, dnstest.Delay(50*time.Millisecond))
	srv.SetFault("big._domainkey.batch.example.", dns.TypeTXT, dnstest.Oversize(40<<10))
	return srv
}

// outcome is what a test compares of a Result: the answer as a check sees
// it and the error's kind and text.
type outcome struct {
	Name, Outcome    string
	Type             uint16
	RRs, CNAMEs      []string
	Authentic, Trunc bool
	Size             int
	Kind             resolver.ErrorKind
	Err              string
}

func outcomeOf(r resolver.Result) outcome {
	o := outcome{Name: r.Answer.Name, Type: r.Answer.Type, Outcome: string(r.Answer.Outcome), CNAMEs: r.Answer.CNAMEs,
		Authentic: r.Answer.Authentic, Trunc: r.Answer.Truncated, Size: r.Answer.Size, Kind: resolver.KindOf(r.Err)}
	for _, rr := range r.Answer.RRs {
		o.RRs = append(o.RRs, rr.String())
	}
	if r.Err != nil {
		o.Err = r.Err.Error()
	}
	return o
}

// A batch gets, question by question, what Lookup gets: through the client
// alone, through the per-domain cache, and through both caches of a bulk
// run; and it sends the queries Lookup would send.
func TestLookupBatchMatchesLookup(t *testing.T) {
	t.Parallel()
	layers := map[string]func(resolver.Resolver) resolver.Resolver{
		"client": func(r resolver.Resolver) resolver.Resolver { return r },
		"cache":  func(r resolver.Resolver) resolver.Resolver { return resolver.NewCache(r) },
		"shared+cache": func(r resolver.Resolver) resolver.Resolver {
			return resolver.NewCache(resolver.NewSharedCache(r, resolver.SharedCacheOptions{}))
		},
	}
	for name, wrap := range layers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			one, many := batchServer(t), batchServer(t)
			opts := func(s *dnstest.Server) resolver.ClientOptions {
				o := s.ClientOptions()
				// Twenty times the slow name's 50 ms: on a loaded CI
				// machine 300 ms once sent it again and the query
				// counts differed.
				o.Timeout = time.Second
				return o
			}
			c1, err := resolver.NewClient(opts(one))
			if err != nil {
				t.Fatal(err)
			}
			c2, err := resolver.NewClient(opts(many))
			if err != nil {
				t.Fatal(err)
			}
			r1, r2 := wrap(c1), wrap(c2)
			if _, ok := r2.(resolver.BatchResolver); !ok {
				t.Fatalf("%T does not take batches", r2)
			}
			ctx := context.Background()
			want := make([]outcome, len(batchQuestions))
			for i, q := range batchQuestions {
				ans, err := r1.Lookup(ctx, q.Name, q.Type)
				want[i] = outcomeOf(resolver.Result{Answer: ans, Err: err})
				want[i].Err = strings.ReplaceAll(want[i].Err, one.Addr, "SERVER")
			}
			got := resolver.LookupBatch(ctx, r2, batchQuestions, 0)
			for i, q := range batchQuestions {
				g := outcomeOf(got[i])
				g.Err = strings.ReplaceAll(g.Err, many.Addr, "SERVER")
				if !reflect.DeepEqual(g, want[i]) {
					t.Errorf("%s %s:\n batch  %+v\n lookup %+v", q.Name, resolver.TypeString(q.Type), g, want[i])
				}
			}
			if q1, q2 := queryCounts(one.Log()), queryCounts(many.Log()); !reflect.DeepEqual(q1, q2) {
				t.Errorf("queries sent: batch %v, one by one %v", q2, q1)
			}
		})
	}
}

func queryCounts(log []dnstest.Question) map[string]int {
	m := map[string]int{}
	for _, q := range log {
		m[fmt.Sprintf("%s %s %s", q.Name, resolver.TypeString(q.Type), q.Proto)]++
	}
	return m
}

// A batch whose caller gives up returns at once with its context's error,
// and leaves the client usable.
func TestLookupBatchCanceled(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	c, err := resolver.NewClient(srv.ClientOptions())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	got := resolver.LookupBatch(ctx, resolver.NewCache(c), []resolver.Question{
		{Name: "silent._domainkey.batch.example", Type: dns.TypeTXT},
		{Name: "s1._domainkey.batch.example", Type: dns.TypeTXT},
	}, 0)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("canceled batch took %v", took)
	}
	if k := resolver.KindOf(got[0].Err); k != resolver.KindTimeout && k != resolver.KindCanceled {
		t.Errorf("silent name: %v, want the context's end", got[0].Err)
	}
	if got[1].Err != nil || len(got[1].Answer.RRs) != 1 {
		t.Errorf("answered name: %+v", got[1])
	}
	if _, err := c.Lookup(context.Background(), "s1._domainkey.batch.example", dns.TypeTXT); err != nil {
		t.Errorf("after a canceled batch: %v", err)
	}
}

// Batches from many domains at once, more than the in-flight bound holds:
// each question gets its own answer and no batch waits for another
// forever.
func TestLookupBatchManyAtOnce(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("many.example.", "@ SOA ns. h. 1 1 1 1 1\n* TXT \"v=any\"\n"))
	o := srv.ClientOptions()
	o.MaxInFlight = 40
	c, err := resolver.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	shared := resolver.NewSharedCache(c, resolver.SharedCacheOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for d := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qs := make([]resolver.Question, 25)
			for i := range qs {
				qs[i] = resolver.Question{Name: fmt.Sprintf("s%d._domainkey.d%d.many.example", i, d), Type: dns.TypeTXT}
			}
			for i, r := range resolver.LookupBatch(context.Background(), resolver.NewCache(shared), qs, 0) {
				if r.Err != nil || len(r.Answer.RRs) != 1 || r.Answer.RRs[0].Header().Name != dns.Fqdn(qs[i].Name) {
					errs <- fmt.Errorf("%s: %+v", qs[i].Name, r)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
