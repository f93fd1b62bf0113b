package resolver_test

import (
	"context"
	"fmt"
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
