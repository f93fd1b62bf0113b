package spf

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
)

// BenchmarkCheckChain validates a five-level include chain against a
// loopback server that answers every query after 20 ms. The walk fetches
// one level per round trip, with the a/mx lookups of a level riding along
// with the next level's TXT, so the floor is (levels+1) x 20 ms = 120 ms.
// It reports the queries per run and the distinct (name, type) pairs asked,
// which must be equal: nothing is asked twice.
func BenchmarkCheckChain(b *testing.B) {
	const levels, delay = 5, 20 * time.Millisecond
	srv := dnstest.Start(b, dnstest.ZoneFile(zonePath("spf-chain.zone")))
	srv.SetDelay(delay)
	r := srv.Resolver(b)
	env := check.Env{Resolver: r}
	target := dnsname.MustParse("chain.example")
	b.ResetTimer()
	start := srv.Queries()
	for i := 0; i < b.N; i++ {
		sec := Check(context.Background(), env, target, Options{})
		if d := sec.Data.(*Data); d.DNSTerms != levels+1 {
			b.Fatalf("terms %d, want %d", d.DNSTerms, levels+1)
		}
	}
	b.StopTimer()
	queries := float64(srv.Queries()-start) / float64(b.N)
	distinct := map[string]bool{}
	for _, q := range srv.Log() {
		distinct[fmt.Sprint(q.Name, "/", q.Type)] = true
	}
	b.ReportMetric(queries, "queries/op")
	b.ReportMetric(float64(len(distinct)), "distinct-names")
	b.ReportMetric(float64((levels+1)*delay)/float64(time.Millisecond), "floor-ms")
	if queries != float64(len(distinct)) {
		b.Errorf("%.1f queries per run for %d distinct (name, type) pairs", queries, len(distinct))
	}
}
