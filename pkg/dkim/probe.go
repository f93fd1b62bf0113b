package dkim

import (
	"context"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// runLookups asks for the key record of every lookup, at most limit at once
// (default DefaultConcurrency). The questions go to the resolver as one
// batch where it takes batches (resolver.BatchResolver): the 25 selector
// guesses of a domain then cost one goroutine and one sendmmsg rather than
// 25 of each, and each outcome is still that name's own answer. Every
// guess is asked and judged on its own: no shortcut infers one name's
// absence from another's NXDOMAIN (RFC 8020 §4 allows it, but a broken
// server can give NXDOMAIN wrongly, and that would turn an unknown into an
// absence).
func runLookups(ctx context.Context, r resolver.Resolver, lookups []*lookup, limit int) {
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	qs := make([]resolver.Question, 0, len(lookups))
	asked := make([]*lookup, 0, len(lookups))
	for _, l := range lookups {
		if err := ValidateSelector(l.sel); err != nil {
			l.err = &resolver.Error{Name: l.name, Type: dns.TypeTXT, Kind: resolver.KindName, Err: err}
			continue
		}
		qs = append(qs, resolver.Question{Name: l.qname, Type: dns.TypeTXT})
		asked = append(asked, l)
	}
	// A batching resolver takes limit questions at a time; otherwise
	// LookupBatch runs one Lookup per question, limit at once.
	step := len(qs)
	if _, batches := r.(resolver.BatchResolver); batches {
		step = limit
	}
	for lo := 0; lo < len(qs); lo += step {
		hi := min(lo+step, len(qs))
		for i, res := range resolver.Batch(ctx, r, qs[lo:hi], limit) {
			l := asked[lo+i]
			l.ans, l.err = res.Answer, res.Err
			if res.Err == nil {
				l.txts = resolver.TXTRecords(res.Answer)
			}
		}
	}
}
