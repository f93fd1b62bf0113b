package dnsbl

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/check"
)

// benchLists serves n healthy lists under bench.dnsbl.test; the first
// `listed` of them list 192.0.2.99 with a TXT reason.
func benchLists(b testing.TB, n, listed int) (*dnstest.Server, *Catalog) {
	var opts []dnstest.Option
	var entries []string
	for i := range n {
		zone := fmt.Sprintf("l%02d.bench.dnsbl.test", i)
		text := "@ 300 SOA ns.dnsbl.test. hostmaster.dnsbl.test. 1 3600 600 86400 300\n" +
			"2.0.0.127 300 A 127.0.0.2\n"
		if i < listed {
			text += "99.2.0.192 300 A 127.0.0.2\n99.2.0.192 300 TXT \"listed for the benchmark\"\n"
		}
		opts = append(opts, dnstest.ZoneText(zone+".", text))
		entries = append(entries, fmt.Sprintf(`{"zone":%q,"kinds":["ipv4"],"class":"minor","default":true,"codes":[{"code":"127.0.0.2","meaning":"listed"}]}`, zone))
	}
	srv := dnstest.Start(b, opts...)
	cat, err := ParseCatalog([]byte(`{"version":"bench","lists":[` + strings.Join(entries, ",") + `]}`))
	if err != nil {
		b.Fatal(err)
	}
	return srv, cat
}

// BenchmarkCheckIP: one address against 20 lists, every answer delayed by
// 20 ms (one "round trip"). Each run asks 20 list queries and 40 health
// probes (RFC 5782 §5: 127.0.0.2 and 127.0.0.1 per list), plus a TXT per
// listing. Reported: round trips per run (wall time / 20 ms) and queries.
func BenchmarkCheckIP(b *testing.B) {
	const rtt = 20 * time.Millisecond
	for _, bc := range []struct {
		listed, concurrency int
	}{
		{0, DefaultConcurrency}, {2, DefaultConcurrency}, {0, 32}, {2, 32}, {0, 64}, {2, 64},
	} {
		b.Run(fmt.Sprintf("listed=%d/concurrency=%d", bc.listed, bc.concurrency), func(b *testing.B) {
			srv, cat := benchLists(b, 20, bc.listed)
			srv.SetDelay(rtt)
			env := check.Env{Resolver: srv.Resolver(b)}
			opts := Options{Catalog: cat, Concurrency: bc.concurrency}
			targets := addrTargets("192.0.2.99")
			start := srv.Queries()
			b.ResetTimer()
			began := time.Now()
			for b.Loop() {
				sec := CheckTargets(context.Background(), env, targets, opts)
				if got := len(sec.Data.(Data).Answers); got != 20 {
					b.Fatalf("%d answers", got)
				}
				if n := len(findingsByID(sec)["dnsbl.ip.listed.minor"]); n != bc.listed {
					b.Fatalf("%d listings, want %d: %+v", n, bc.listed, sec.Findings)
				}
			}
			wall := time.Since(began)
			b.ReportMetric(float64(wall)/float64(rtt)/float64(b.N), "RTs/op")
			b.ReportMetric(float64(srv.Queries()-start)/float64(b.N), "queries/op")
		})
	}
}

// Issue 15: one address against 20 lists is one round trip: its 20
// queries and the 40 self-test questions are all outstanding at once
// (politeness is per list, PerZone, not a global cap). Structural: the
// server's peak of unanswered questions, not a timing.
func TestCheckIPOneRound(t *testing.T) {
	srv, cat := benchLists(t, 20, 0)
	srv.SetDelay(100 * time.Millisecond) // long enough for every question to arrive before the first answer
	env := check.Env{Resolver: srv.Resolver(t)}
	sec := CheckTargets(context.Background(), env, addrTargets("192.0.2.99"), Options{Catalog: cat})
	if n := len(sec.Data.(Data).Answers); n != 20 {
		t.Fatalf("%d answers", n)
	}
	if q, peak := srv.Queries(), srv.Peak(); q != 60 || peak != 60 {
		t.Errorf("%d questions, at most %d at once; want 60 in one round", q, peak)
	}
}
