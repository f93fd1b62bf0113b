package resolver_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// instant answers every question at once with NXDOMAIN and allocates
// nothing: what is left in a benchmark over it is the caches' own work.
type instant struct{}

func (instant) Lookup(_ context.Context, name string, qtype uint16) (resolver.Answer, error) {
	return resolver.Answer{Name: resolver.Canonical(name), Type: qtype, Outcome: resolver.NXDomain}, nil
}

func (i instant) LookupBatch(ctx context.Context, qs []resolver.Question, out []resolver.Result) {
	for j, q := range qs {
		out[j].Answer, out[j].Err = i.Lookup(ctx, q.Name, q.Type)
	}
}

// domainNames are a domain's 25 DKIM guesses and 12 other names, as the
// checks ask them (fully qualified, lower case), made before the timer
// starts so that the benchmark measures the caches only.
func domainNames(d int) (guesses []resolver.Question, others []string) {
	dom := "d" + strconv.Itoa(d) + ".bench.example."
	guesses = make([]resolver.Question, 25)
	for i := range guesses {
		guesses[i] = resolver.Question{Name: "s" + strconv.Itoa(i) + "._domainkey." + dom, Type: dns.TypeTXT}
	}
	for i := range 12 {
		others = append(others, "n"+strconv.Itoa(i)+"."+dom)
	}
	return guesses, others
}

// BenchmarkCacheLayers is a domain's questions (25 guesses as one batch, 12
// Lookups) through a fresh per-domain Cache and the run-wide SharedCache
// over a resolver that answers at once: the bookkeeping of the two caches,
// per domain, with no network and no parsing.
func BenchmarkCacheLayers(b *testing.B) {
	// Names made ahead, a round of domains at a time with the timer
	// stopped; every round's are new, as a bulk run's domains are.
	const round = 2048
	guesses := make([][]resolver.Question, round)
	others := make([][]string, round)
	shared := resolver.NewSharedCache(instant{}, resolver.SharedCacheOptions{})
	ctx := context.Background()
	out := make([]resolver.Result, 25)
	b.ReportAllocs()
	b.ResetTimer()
	for n := range b.N {
		d := n % round
		if d == 0 {
			b.StopTimer()
			for i := range round {
				guesses[i], others[i] = domainNames(n + i)
			}
			b.StartTimer()
		}
		c := resolver.NewCache(shared)
		c.LookupBatch(ctx, guesses[d], out)
		for _, name := range others[d] {
			if _, err := c.Lookup(ctx, name, dns.TypeA); err != nil {
				b.Fatal(err)
			}
		}
	}
}
