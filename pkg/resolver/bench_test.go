package resolver_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// BenchmarkClientLookup measures one question over the shared UDP sockets
// against a loopback server, many at once as in a bulk run: CPU and
// allocations per query on mailcheck's side (the server's share is in
// ns/op too, in the same process).
func BenchmarkClientLookup(b *testing.B) {
	srv := dnstest.Start(b, dnstest.ZoneText("bench.example.", "@ SOA ns. h. 1 1 1 1 1\n* TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\"\n"))
	c, err := resolver.NewClient(resolver.ClientOptions{Server: srv.Addr, Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			name := fmt.Sprintf("s%d._domainkey.d%d.bench.example", n.Add(1)%25, n.Load()%1000)
			if _, err := c.Lookup(context.Background(), name, dns.TypeTXT); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCacheLookup is the same through the per-domain Cache and the
// run-wide SharedCache, the path every check's question takes in a bulk
// run; every question is new, as a domain's own names are.
func BenchmarkCacheLookup(b *testing.B) {
	srv := dnstest.Start(b, dnstest.ZoneText("bench.example.", "@ SOA ns. h. 1 1 1 1 1\n* TXT \"v=spf1 -all\"\n"))
	c, err := resolver.NewClient(resolver.ClientOptions{Server: srv.Addr, Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	shared := resolver.NewSharedCache(c, resolver.SharedCacheOptions{})
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		cache := resolver.NewCache(shared)
		for pb.Next() {
			name := fmt.Sprintf("n%d.bench.example", n.Add(1))
			if _, err := cache.Lookup(context.Background(), name, dns.TypeTXT); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkDKIMGuesses asks a domain's 25 selector guesses through both
// caches of a bulk run, one Lookup per guess in its own goroutine (what
// pkg/dkim did) and as one batch (what it does): CPU and allocations per
// domain on mailcheck's side, the loopback server's share included.
func BenchmarkDKIMGuesses(b *testing.B) {
	srv := dnstest.Start(b, dnstest.ZoneText("bench.example.", "@ SOA ns. h. 1 1 1 1 1\ns1._domainkey.* TXT \"v=DKIM1; p=MIIB\"\n"))
	c, err := resolver.NewClient(resolver.ClientOptions{Server: srv.Addr, Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	shared := resolver.NewSharedCache(c, resolver.SharedCacheOptions{})
	var n atomic.Int64
	questions := func() []resolver.Question {
		d := n.Add(1)
		qs := make([]resolver.Question, 25)
		for i := range qs {
			qs[i] = resolver.Question{Name: fmt.Sprintf("s%d._domainkey.d%d.bench.example", i, d), Type: dns.TypeTXT}
		}
		return qs
	}
	run := func(b *testing.B, ask func(resolver.Resolver, []resolver.Question)) {
		b.ReportAllocs()
		b.SetParallelism(8)
		cpu0 := cpuTime()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				ask(resolver.NewCache(shared), questions())
			}
		})
		// CPU, not wall time: the figure that holds on a loaded machine.
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("goroutines", func(b *testing.B) {
		run(b, func(r resolver.Resolver, qs []resolver.Question) {
			var wg sync.WaitGroup
			for _, q := range qs {
				wg.Go(func() { _, _ = r.Lookup(context.Background(), q.Name, q.Type) })
			}
			wg.Wait()
		})
	})
	b.Run("batch", func(b *testing.B) {
		run(b, func(r resolver.Resolver, qs []resolver.Question) {
			_ = resolver.LookupBatch(context.Background(), r, qs, 0)
		})
	})
}
