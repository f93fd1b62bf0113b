package resolver_test

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// nxServer answers every query with NXDOMAIN, written over the query's own
// bytes (QR set, RCODE 3, the question and OPT record echoed): a loopback
// server that allocates nothing and costs two system calls a query, so
// that the CPU and allocations measured are mostly mailcheck's side.
func nxServer(b *testing.B) string {
	return rawUDPServer(b, func(q []byte) []byte {
		q[2] |= 0x80                // QR
		q[3] = q[3]&0xf0 | 0x80 | 3 // RA, NXDOMAIN
		return q
	})
}

// rawUDPServer serves UDP on a loopback port until the test ends: each
// datagram of a DNS header or more gets reply(datagram) back, unless nil.
func rawUDPServer(tb testing.TB, reply func(query []byte) []byte) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			if r := reply(buf[:n]); r != nil {
				_, _ = pc.WriteTo(r, addr)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// BenchmarkLightServer is a domain's questions through both caches of a
// bulk run against nxServer: "batch" is the 25 DKIM selector guesses as
// one LookupBatch, "lookups" 12 Lookups one after the other (a domain's
// other questions). cpu-ns/op includes the server's two system calls per
// query. (Two goroutines per core: with more, the one-goroutine server
// makes the batches queue and the wall time says nothing.)
func BenchmarkLightServer(b *testing.B) {
	c, err := resolver.NewClient(resolver.ClientOptions{Server: nxServer(b), Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	shared := resolver.NewSharedCache(c, resolver.SharedCacheOptions{})
	var n atomic.Int64
	run := func(b *testing.B, ask func(d int64, r resolver.Resolver)) {
		b.ReportAllocs()
		b.SetParallelism(1)
		cpu0 := cpuTime()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				ask(n.Add(1), resolver.NewCache(shared))
			}
		})
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("batch", func(b *testing.B) {
		run(b, func(d int64, r resolver.Resolver) {
			qs := make([]resolver.Question, 25)
			for i := range qs {
				qs[i] = resolver.Question{Name: fmt.Sprintf("s%d._domainkey.d%d.bench.example", i, d), Type: dns.TypeTXT}
			}
			for _, res := range resolver.LookupBatch(context.Background(), r, qs, 0) {
				if res.Err != nil || res.Answer.Outcome != resolver.NXDomain {
					b.Error(res.Err)
					return
				}
			}
		})
	})
	b.Run("lookups", func(b *testing.B) {
		run(b, func(d int64, r resolver.Resolver) {
			for i := range 12 {
				if _, err := r.Lookup(context.Background(), fmt.Sprintf("n%d.d%d.bench.example", i, d), dns.TypeA); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
