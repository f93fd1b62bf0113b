package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

func start(t *testing.T) *dnstest.Server {
	t.Helper()
	return dnstest.Start(t, dnstest.ZoneFile("testdata/resolver.example.zone"))
}

func TestClientOutcomes(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Resolver(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		qname   string
		qtype   uint16
		outcome resolver.Outcome
		rrs     int
		cnames  int
	}{
		{"found", "mx.resolver.example", dns.TypeA, resolver.Found, 1, 0},
		{"case and dot do not matter", "MX.Resolver.Example.", dns.TypeAAAA, resolver.Found, 1, 0},
		{"nodata", "mx.resolver.example", dns.TypeTXT, resolver.NoData, 0, 0},
		{"nxdomain", "nope.resolver.example", dns.TypeTXT, resolver.NXDomain, 0, 0},
		{"empty non-terminal is nodata", "b.a.resolver.example", dns.TypeTXT, resolver.NoData, 0, 0},
		{"below empty non-terminal", "c.b.a.resolver.example", dns.TypeTXT, resolver.Found, 1, 0},
		{"cname followed", "alias.resolver.example", dns.TypeTXT, resolver.Found, 1, 1},
		{"cname chain followed", "hop1.resolver.example", dns.TypeTXT, resolver.Found, 1, 2},
		{"cname itself", "alias.resolver.example", dns.TypeCNAME, resolver.Found, 1, 0},
		{"wildcard synthesized", "x.wild.resolver.example", dns.TypeTXT, resolver.Found, 1, 0},
		{"wildcard does not cover the parent", "wild.resolver.example", dns.TypeTXT, resolver.NoData, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, err := c.Lookup(ctx, tt.qname, tt.qtype)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if ans.Outcome != tt.outcome || len(ans.RRs) != tt.rrs || len(ans.CNAMEs) != tt.cnames {
				t.Errorf("got outcome %s, %d RRs, %d CNAMEs; want %s, %d, %d", ans.Outcome, len(ans.RRs), len(ans.CNAMEs), tt.outcome, tt.rrs, tt.cnames)
			}
			for _, rr := range ans.RRs {
				if rr.Header().Rrtype != tt.qtype {
					t.Errorf("RR of type %d in answer", rr.Header().Rrtype)
				}
			}
		})
	}
}

func TestClientKeepsTXTStringsApart(t *testing.T) {
	t.Parallel()
	srv := start(t)
	txts, _, err := resolver.LookupTXT(context.Background(), srv.Resolver(t), "resolver.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(txts) != 1 || len(txts[0].Strings) != 2 {
		t.Fatalf("want one RR of two strings, got %#v", txts)
	}
	if got, want := txts[0].Text(), "v=spf1 include:_spf.resolver.example ~all"; got != want {
		t.Errorf("Text() = %q, want %q (joined without added spaces)", got, want)
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.SetFault("servfail.resolver.example", 0, dnstest.ServFail)
	srv.SetFault("refused.resolver.example", dns.TypeTXT, dnstest.Refused)
	srv.SetFault("silent.resolver.example", 0, dnstest.Silence)
	opts := srv.ClientOptions()
	opts.Timeout = 150 * time.Millisecond
	c, err := resolver.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		qname string
		want  error
	}{
		{"servfail", "servfail.resolver.example", resolver.ErrServFail},
		{"refused", "refused.resolver.example", resolver.ErrRefused},
		{"timeout", "silent.resolver.example", resolver.ErrTimeout},
		{"cname loop", "loop1.resolver.example", resolver.ErrCNAMELoop},
		{"label too long", "a123456789012345678901234567890123456789012345678901234567890123.resolver.example", resolver.ErrBadName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Lookup(context.Background(), tt.qname, dns.TypeTXT)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	// The silent name was asked twice: the query and its one retry.
	n := 0
	for _, q := range srv.Log() {
		if q.Name == "silent.resolver.example." {
			n++
		}
	}
	if n != 2 {
		t.Errorf("silent name asked %d times, want 2 (one retry)", n)
	}
}

func TestClientHonoursContextDeadline(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.SetFault("silent.resolver.example", 0, dnstest.Silence)
	c := srv.Resolver(t) // 1s per attempt, one retry: 2s without a deadline
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Lookup(ctx, "silent.resolver.example", dns.TypeTXT)
	if !errors.Is(err, resolver.ErrTimeout) {
		t.Fatalf("err = %v, want timeout", err)
	}
	// Bound, not speed: without the deadline this takes 2s.
	if elapsed := time.Since(start); elapsed > 900*time.Millisecond {
		t.Fatalf("Lookup took %v, past the 100ms context deadline", elapsed)
	}
}

func TestClientFallsBackToTCP(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.SetFault("mx.resolver.example", dns.TypeA, dnstest.Truncate)
	srv.SetFault("big.resolver.example", dns.TypeTXT, dnstest.Oversize(6000))
	c := srv.Resolver(t)
	ans, err := c.Lookup(context.Background(), "mx.resolver.example", dns.TypeA)
	if err != nil || ans.Outcome != resolver.Found || !ans.Truncated {
		t.Fatalf("truncated: %+v, %v; want found over TCP", ans, err)
	}
	ans, err = c.Lookup(context.Background(), "big.resolver.example", dns.TypeTXT)
	if err != nil || len(ans.RRs) < 20 || !ans.Truncated || ans.Size < 6000 {
		t.Fatalf("oversize: %d RRs, truncated %v, size %d, err %v", len(ans.RRs), ans.Truncated, ans.Size, err)
	}
	var protos []string
	for _, q := range srv.Log() {
		if q.Name == "big.resolver.example." {
			protos = append(protos, q.Proto)
		}
	}
	if len(protos) != 2 || protos[0] != "udp" || protos[1] != "tcp" {
		t.Errorf("big answer asked over %v, want [udp tcp]", protos)
	}
}

func TestClientBoundsAnswerSize(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.SetFault("big.resolver.example", dns.TypeTXT, dnstest.Oversize(20000))
	opts := srv.ClientOptions()
	opts.MaxAnswerSize = 8 << 10
	c, _ := resolver.NewClient(opts)
	_, err := c.Lookup(context.Background(), "big.resolver.example", dns.TypeTXT)
	if !errors.Is(err, resolver.ErrTooLarge) {
		t.Fatalf("err = %v, want too large", err)
	}
}

func TestClientAuthenticBit(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Resolver(t)
	ans, _ := c.Lookup(context.Background(), "mx.resolver.example", dns.TypeA)
	if ans.Authentic {
		t.Fatal("AD set for an unsigned zone")
	}
	srv.SetAuthentic("resolver.example", true)
	ans, _ = c.Lookup(context.Background(), "mx.resolver.example", dns.TypeA)
	if !ans.Authentic {
		t.Fatal("AD bit not reported")
	}
}

func TestClientNetworkError(t *testing.T) {
	t.Parallel()
	// A TCP listener closed at once leaves a loopback port with nothing
	// behind it; UDP to it is refused by the kernel.
	srv := start(t)
	opts := srv.ClientOptions()
	opts.Server = "127.0.0.1:1"
	opts.Timeout = 200 * time.Millisecond
	c, _ := resolver.NewClient(opts)
	_, err := c.Lookup(context.Background(), "mx.resolver.example", dns.TypeA)
	if err == nil {
		t.Fatal("no error from a dead resolver")
	}
	if k := resolver.KindOf(err); k != resolver.KindNetwork && k != resolver.KindTimeout {
		t.Errorf("kind %q, want network or timeout", k)
	}
}

func TestNewClientAddresses(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":      "127.0.0.1:53",
		"127.0.0.1:5353": "127.0.0.1:5353",
		"::1":            "[::1]:53",
		"[::1]:5353":     "[::1]:5353",
		"dns.example":    "dns.example:53",
	} {
		c, err := resolver.NewClient(resolver.ClientOptions{Server: in})
		if err != nil || c.Server() != want {
			t.Errorf("%q: got %v %v, want %q", in, c, err, want)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:", ":53"} {
		if _, err := resolver.NewClient(resolver.ClientOptions{Server: bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCacheAsksOncePerNameAndType(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.SetDelay(30 * time.Millisecond) // long enough for callers to overlap
	cache := resolver.NewCache(srv.Resolver(t))
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			qtype := dns.TypeA
			if i%2 == 1 {
				qtype = dns.TypeAAAA
			}
			if _, err := cache.Lookup(context.Background(), "mx.resolver.example", qtype); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	// Errors are cached too.
	srv.SetFault("servfail.resolver.example", 0, dnstest.ServFail)
	for i := 0; i < 3; i++ {
		if _, err := cache.Lookup(context.Background(), "servfail.resolver.example", dns.TypeTXT); !errors.Is(err, resolver.ErrServFail) {
			t.Fatalf("err = %v", err)
		}
	}
	if got := srv.Queries(); got != 3 {
		t.Errorf("server saw %d queries, want 3", got)
	}
	st := cache.Stats()
	if st.Lookups != 23 || st.Distinct != 3 {
		t.Errorf("stats %+v, want 23 lookups, 3 distinct", st)
	}
}

func TestZonesResolver(t *testing.T) {
	t.Parallel()
	z, err := resolver.LoadZones("testdata/resolver.example.zone")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ans, err := z.Lookup(ctx, "hop1.resolver.example", dns.TypeTXT)
	if err != nil || ans.Outcome != resolver.Found || len(ans.CNAMEs) != 2 {
		t.Errorf("chain: %+v %v", ans, err)
	}
	if ans, err := z.Lookup(ctx, "nope.resolver.example", dns.TypeTXT); err != nil || ans.Outcome != resolver.NXDomain {
		t.Errorf("nxdomain: %+v %v", ans, err)
	}
	if ans, err := z.Lookup(ctx, "mx.resolver.example", dns.TypeMX); err != nil || ans.Outcome != resolver.NoData {
		t.Errorf("nodata: %+v %v", ans, err)
	}
	if _, err := z.Lookup(ctx, "shop.other.example", dns.TypeTXT); !errors.Is(err, resolver.ErrRefused) {
		t.Errorf("outside the zones: %v, want refused", err)
	}
	if _, err := z.Lookup(ctx, "outside.resolver.example", dns.TypeTXT); !errors.Is(err, resolver.ErrRefused) {
		t.Errorf("alias leaving the zones: %v, want refused", err)
	}
	if _, err := z.Lookup(ctx, "loop1.resolver.example", dns.TypeTXT); !errors.Is(err, resolver.ErrCNAMELoop) {
		t.Errorf("loop: %v", err)
	}
}

func TestLoadZonesErrors(t *testing.T) {
	for _, path := range []string{"testdata/missing.zone", "testdata"} {
		if _, err := resolver.LoadZones(path); err == nil {
			t.Errorf("%s: no error", path)
		}
	}
}

func TestLookupTXTReturnsOctets(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t, dnstest.ZoneText("raw.example.", `@ TXT "a \"quoted\" \\ back" "caf\195\169"`+"\n"))
	txts, _, err := resolver.LookupTXT(context.Background(), srv.Resolver(t), "raw.example")
	if err != nil || len(txts) != 1 {
		t.Fatalf("%v %v", txts, err)
	}
	if got, want := txts[0].Strings, []string{`a "quoted" \ back`, "café"}; got[0] != want[0] || got[1] != want[1] {
		t.Errorf("strings %q, want %q", got, want)
	}
}

// counting passes lookups through and counts them.
type counting struct {
	resolver.Resolver
	n atomic.Int64
}

func (c *counting) Lookup(ctx context.Context, name string, qtype uint16) (resolver.Answer, error) {
	c.n.Add(1)
	return c.Resolver.Lookup(ctx, name, qtype)
}

// Callers arriving while a flight ends must not start a second one (a race
// the audit's dedup test once caught: singleflight forgets a key when its
// flight is over, before late callers look at the cache).
func TestCacheNoSecondFlight(t *testing.T) {
	t.Parallel()
	srv := start(t)
	for round := 0; round < 30; round++ {
		up := &counting{Resolver: srv.Resolver(t)}
		cache := resolver.NewCache(up)
		var wg sync.WaitGroup
		for i := 0; i < 64; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Spread the callers over the flight's lifetime, so
				// some arrive just as it ends.
				time.Sleep(time.Duration(i*5) * time.Microsecond)
				for j := 0; j < 10; j++ {
					if _, err := cache.Lookup(context.Background(), "mx.resolver.example", dns.TypeA); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if n := up.n.Load(); n != 1 {
			t.Fatalf("round %d: %d upstream lookups, want 1", round, n)
		}
	}
}

func TestClientBoundsQueriesInFlight(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.SetDelay(30 * time.Millisecond) // so that unbounded queries would overlap
	opts := srv.ClientOptions()
	opts.MaxInFlight = 3
	c, _ := resolver.NewClient(opts)
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Lookup(context.Background(), fmt.Sprintf("n%d.resolver.example", i), dns.TypeA); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if p := srv.Peak(); p > 3 || p < 2 {
		t.Errorf("server saw %d queries at once, want 2..3", p)
	}
}

// A server whose answer is truncated over TCP too has not answered: its
// empty reply is not NODATA (a "no SPF record" from a server that lies).
func TestClientTruncatedOverTCPIsAnError(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.SetFault("mx.resolver.example.", dns.TypeA, dnstest.TruncateAlways)
	_, err := srv.Resolver(t).Lookup(context.Background(), "mx.resolver.example", dns.TypeA)
	if resolver.KindOf(err) != resolver.KindMalformed {
		t.Fatalf("Lookup: err %v (kind %q), want a malformed-answer error", err, resolver.KindOf(err))
	}
}
