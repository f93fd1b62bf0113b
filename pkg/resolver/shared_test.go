package resolver_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

const sharedZone = `@ SOA ns. h. 1 1 1 1 60
_spf TXT "v=spf1 -all"
short 5 TXT "five seconds"
`

// A name asked by many domains' caches costs one query; a name asked once
// is not kept.
func TestSharedCacheOncePerRun(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("shared.example.", sharedZone))
	shared := resolver.NewSharedCache(srv.Resolver(t), resolver.SharedCacheOptions{})
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 50 { // 50 domains, each with its own per-domain cache
		wg.Add(1)
		go func() {
			defer wg.Done()
			per := resolver.NewCache(shared)
			if _, err := per.Lookup(ctx, "_spf.shared.example", dns.TypeTXT); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if q := srv.Queries(); q > 2 {
		t.Errorf("%d queries for one shared name asked by 50 domains; want at most 2 (the first ask, then one flight)", q)
	}
	if _, err := shared.Lookup(ctx, "once.shared.example", dns.TypeTXT); err != nil {
		t.Fatal(err)
	}
	if n := shared.Stats().Entries; n != 1 {
		t.Errorf("%d entries; a name asked once must not be kept", n)
	}
}

// Failures are never shared: the next domain asks again, and gets the
// answer once the server recovers. An NXDOMAIN is shared: it is an answer.
func TestSharedCacheFailuresNotShared(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("shared.example.", sharedZone))
	shared := resolver.NewSharedCache(srv.Resolver(t), resolver.SharedCacheOptions{})
	ctx := context.Background()
	srv.SetFault("_spf.shared.example", 0, dnstest.ServFail)
	for range 3 {
		if _, err := shared.Lookup(ctx, "_spf.shared.example", dns.TypeTXT); resolver.KindOf(err) != resolver.KindServFail {
			t.Fatalf("got %v, want SERVFAIL", err)
		}
	}
	srv.SetFault("_spf.shared.example", 0, dnstest.Fault{})
	ans, err := shared.Lookup(ctx, "_spf.shared.example", dns.TypeTXT)
	if err != nil || ans.Outcome != resolver.Found {
		t.Fatalf("after recovery: %v %v; a cached failure would still be failing", ans.Outcome, err)
	}
	for range 3 {
		ans, err := shared.Lookup(ctx, "nx.shared.example", dns.TypeTXT)
		if err != nil || ans.Outcome != resolver.NXDomain {
			t.Fatalf("got %v %v, want NXDOMAIN", ans.Outcome, err)
		}
	}
	if q := srv.Queries(); q != 4+2 {
		t.Errorf("%d queries; want 4 for the failing then recovered name and 2 for the NXDOMAIN one", q)
	}
}

// Answers expire with their TTL, and the cache stays within its bound.
func TestSharedCacheTTLAndBound(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("shared.example.", sharedZone))
	now := testclock.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	shared := resolver.NewSharedCache(srv.Resolver(t), resolver.SharedCacheOptions{MaxEntries: 8, Now: clock})
	ctx := context.Background()
	for range 3 {
		if _, err := shared.Lookup(ctx, "short.shared.example", dns.TypeTXT); err != nil {
			t.Fatal(err)
		}
	}
	if q := srv.Queries(); q != 2 {
		t.Fatalf("%d queries before expiry, want 2", q)
	}
	mu.Lock()
	now = now.Add(6 * time.Second) // past the 5 s TTL
	mu.Unlock()
	if _, err := shared.Lookup(ctx, "short.shared.example", dns.TypeTXT); err != nil {
		t.Fatal(err)
	}
	if q := srv.Queries(); q != 3 {
		t.Errorf("%d queries after expiry, want 3", q)
	}
	for i := range 40 {
		name := fmt.Sprintf("n%d.shared.example", i)
		for range 2 {
			_, _ = shared.Lookup(ctx, name, dns.TypeTXT)
		}
	}
	if n := shared.Stats().Entries; n > 8 {
		t.Errorf("%d entries, over the bound of 8", n)
	}
}

// The zones above a domain are shared by most domains of a run: their
// DNSSEC replies are asked once, like Lookup's answers. A SERVFAIL reply is
// never shared, and a question with CD is not the one without.
func TestSharedCacheDNSSECReplies(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("shared.example.", sharedZone))
	shared := resolver.NewSharedCache(srv.Resolver(t), resolver.SharedCacheOptions{})
	ctx := context.Background()
	for range 5 {
		rep, err := resolver.NewCache(shared).QueryDNSSEC(ctx, "shared.example", dns.TypeSOA, false)
		if err != nil || rep.Rcode != dns.RcodeSuccess || len(rep.Answer) != 1 {
			t.Fatalf("QueryDNSSEC = %+v, %v", rep, err)
		}
	}
	if q := srv.Queries(); q != 2 {
		t.Errorf("%d queries for a DNSSEC question asked by 5 domains; want 2 (the first ask, then kept)", q)
	}
	if _, err := shared.QueryDNSSEC(ctx, "shared.example", dns.TypeSOA, true); err != nil {
		t.Fatal(err)
	}
	if q := srv.Queries(); q != 3 {
		t.Errorf("%d queries: the question with CD must be asked on its own", q)
	}

	srv.SetFault("_spf.shared.example", 0, dnstest.ServFail)
	before := srv.Queries()
	for range 3 {
		rep, err := shared.QueryDNSSEC(ctx, "_spf.shared.example", dns.TypeTXT, false)
		if err != nil || rep.Rcode != dns.RcodeServerFailure {
			t.Fatalf("QueryDNSSEC under SERVFAIL = rcode %d, %v", rep.Rcode, err)
		}
	}
	if q := srv.Queries() - before; q != 3 {
		t.Errorf("%d queries for 3 asks that got SERVFAIL; a failure must never be shared", q)
	}
}

// A shared name whose askers all stop waiting before the answer (the
// DNSSEC check calls off its root probe early) is still asked about once
// per run: from the second ask on, the question goes on without the domain
// that asked it, and its answer is kept for the domains after. (It was
// asked by nearly every tenth domain of a bulk run.)
func TestSharedCacheGivenUpFlightStillShared(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("shared.example.", sharedZone))
	srv.SetFault("shared.example", dns.TypeSOA, dnstest.Delay(60*time.Millisecond))
	shared := resolver.NewSharedCache(srv.Resolver(t), resolver.SharedCacheOptions{})
	var wg sync.WaitGroup
	for range 20 { // 20 domains that give up after 10 ms
		wg.Go(func() {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(10*time.Millisecond, cancel)
			defer cancel()
			// The first ones give up; the later ones find the answer kept.
			_, _ = resolver.NewCache(shared).QueryDNSSEC(ctx, "shared.example", dns.TypeSOA, false)
		})
		time.Sleep(5 * time.Millisecond)
	}
	wg.Wait()
	deadline := time.Now().Add(2 * time.Second)
	for shared.Stats().Entries == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for range 5 {
		rep, err := resolver.NewCache(shared).QueryDNSSEC(context.Background(), "shared.example", dns.TypeSOA, false)
		if err != nil || len(rep.Answer) != 1 {
			t.Fatalf("after the early askers: %+v, %v", rep, err)
		}
	}
	if q := srv.Queries(); q > 2 {
		t.Errorf("%d queries for a name 25 domains asked, the first 20 giving up early; want at most 2", q)
	}
}

// A domain awaiting a flight that another started stops at its own
// deadline, not the flight's.
func TestSharedCacheWaiterHonoursItsDeadline(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("shared.example.", sharedZone))
	srv.SetFault("_spf.shared.example", 0, dnstest.Delay(400*time.Millisecond))
	shared := resolver.NewSharedCache(srv.Resolver(t), resolver.SharedCacheOptions{})
	for range 2 { // the second ask leads a detached flight
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		start := time.Now()
		_, err := shared.Lookup(ctx, "_spf.shared.example", dns.TypeTXT)
		cancel()
		if err == nil || time.Since(start) > 300*time.Millisecond {
			t.Fatalf("a 30 ms deadline: %v after %v", err, time.Since(start))
		}
	}
}

// Domains whose batches mix shared names with their own, many at once and
// one batch after another: a flight another domain waits on is never the
// leader's to reuse, so every answer is its own question's, whatever the
// interleaving (run with -race), and the shared names are asked about
// once per run or close to it.
func TestSharedCacheBatchesShareFlights(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("shared.example.", sharedZone+"s0 TXT \"s\"\ns1 TXT \"s\"\ns2 TXT \"s\"\n"))
	srv.SetFault("s1.shared.example", 0, dnstest.Delay(20*time.Millisecond))
	shared := resolver.NewSharedCache(srv.Resolver(t), resolver.SharedCacheOptions{})
	// A flight reused under a waiter would leave it waiting on nothing:
	// a deadline, so that it says so.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for d := range 12 {
		wg.Go(func() {
			for round := range 8 {
				qs := []resolver.Question{
					{Name: "s0.shared.example", Type: dns.TypeTXT},
					{Name: "S1.shared.example.", Type: dns.TypeTXT},
				}
				for i := range 6 {
					qs = append(qs, resolver.Question{Name: fmt.Sprintf("d%d-r%d-q%d.shared.example", d, round, i), Type: dns.TypeTXT})
				}
				qs = append(qs, resolver.Question{Name: "s2.shared.example", Type: dns.TypeTXT})
				for i, res := range resolver.LookupBatch(ctx, resolver.NewCache(shared), qs, 0) {
					want := resolver.NXDomain
					if strings.HasPrefix(strings.ToLower(qs[i].Name), "s") {
						want = resolver.Found
					}
					if res.Err != nil || res.Answer.Name != resolver.Canonical(qs[i].Name) || res.Answer.Outcome != want {
						t.Errorf("%s: got %s %s %v, want %s", qs[i].Name, res.Answer.Name, res.Answer.Outcome, res.Err, want)
					}
				}
			}
		})
	}
	wg.Wait()
	log := srv.Log()
	asked := map[string]int{}
	for _, q := range log {
		asked[strings.ToLower(q.Name)]++
	}
	for _, name := range []string{"s0.shared.example.", "s1.shared.example.", "s2.shared.example."} {
		// The first ask is not kept (nobody else asked yet); the domains
		// asking at the same moment share the flights; the second ask
		// on is kept.
		if asked[name] > 3 {
			t.Errorf("%s asked %d times by 12 domains x 8 rounds; want at most 3", name, asked[name])
		}
	}
	if len(log) > 3*3+12*8*6 {
		t.Errorf("%d queries", len(log))
	}
}
