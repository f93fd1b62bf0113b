package resolver

import (
	"context"

	"github.com/miekg/dns"
)

// Own returns the resolver one domain's checks use in a bulk run: the
// names at or under domain (its MX, TXT and A records, _dmarc, the DKIM
// selector guesses, _mta-sts, _smtp._tls, its own DS and DNSKEY) go
// straight to the upstream; every other name (an SPF include, an MX host
// of a provider, a report destination, a parent zone's keys) goes through
// the shared cache.
//
// Another domain of the run asks a domain's own names only when it names
// that domain (an include of it, say): rare, and then the repeat costs
// one question. Through the cache, every own name paid its bookkeeping (a
// lock, a flight, a hash) for nothing, and took a slot of the table of
// names seen once: on docs/scale.md's workload, where 37 of a domain's
// 37.1 questions are its own, the 16,384 slots forgot a name after about
// 450 domains, so a name shared by domains farther apart was never kept.
//
// domain is a domain name, canonical or not; the zero value of a name (""
// or ".") gives c itself.
func (c *SharedCache) Own(domain string) Resolver {
	own := Canonical(domain)
	if own == "." || own == "" {
		return c
	}
	return &ownView{c: c, own: own}
}

// ownView is SharedCache.Own's resolver.
type ownView struct {
	c   *SharedCache
	own string // canonical, with its trailing dot
}

// mine reports whether name (canonical) is at or under v.own.
func (v *ownView) mine(name string) bool {
	if len(name) < len(v.own) || name[len(name)-len(v.own):] != v.own {
		return false
	}
	// Equal, or the label before v.own ends with a dot that is not
	// escaped ("a\.shop.fr." is one label under "fr.", not under
	// "shop.fr."): a backslash before it means some escape.
	rest := name[:len(name)-len(v.own)]
	return rest == "" || rest[len(rest)-1] == '.' && (len(rest) < 2 || rest[len(rest)-2] != '\\')
}

// Server passes the upstream's address through.
func (v *ownView) Server() string { return v.c.Server() }

// Lookup implements Resolver.
func (v *ownView) Lookup(ctx context.Context, name string, qtype uint16) (Answer, error) {
	var ans Answer
	err := v.lookupCanonical(ctx, Canonical(name), qtype, &ans)
	return ans, err
}

func (v *ownView) lookupCanonical(ctx context.Context, name string, qtype uint16, ans *Answer) error {
	if v.mine(name) {
		return v.c.ask(ctx, name, qtype, ans)
	}
	return v.c.lookupCanonical(ctx, name, qtype, ans)
}

// LookupBatch implements BatchResolver.
func (v *ownView) LookupBatch(ctx context.Context, qs []Question, out []Result) {
	v.lookupBatchCanonical(ctx, canonicalQuestions(qs), out)
}

// lookupBatchCanonical sends a batch of the domain's own names straight
// upstream, and any other batch through the shared cache, whole: splitting
// a mixed one would cost a second round trip for the part that waits.
func (v *ownView) lookupBatchCanonical(ctx context.Context, qs []Question, out []Result) {
	for _, q := range qs {
		if !v.mine(q.Name) {
			v.c.lookupBatchCanonical(ctx, qs, out)
			return
		}
	}
	if v.c.canon != nil {
		v.c.canon.lookupBatchCanonical(ctx, qs, out)
		return
	}
	lookupBatchInto(ctx, v.c.upstream, qs, out, 0)
	for i := range out {
		if out[i].Err != nil && out[i].Answer.Name == "" {
			out[i].Answer = Answer{Name: qs[i].Name, Type: qs[i].Type}
		}
	}
}

// QueryDNSSEC implements DNSSECQuerier.
func (v *ownView) QueryDNSSEC(ctx context.Context, name string, qtype uint16, cd bool) (Reply, error) {
	if canon := Canonical(name); v.mine(canon) {
		return QueryDNSSEC(ctx, v.c.upstream, canon, qtype, cd)
	}
	return v.c.QueryDNSSEC(ctx, name, qtype, cd)
}

// ZoneRecords implements ZoneLister when the upstream does.
func (v *ownView) ZoneRecords(apex string, qtype uint16) ([]dns.RR, error) {
	return v.c.ZoneRecords(apex, qtype)
}

var (
	_ BatchResolver     = (*ownView)(nil)
	_ canonicalResolver = (*ownView)(nil)
	_ DNSSECQuerier     = (*ownView)(nil)
	_ ZoneLister        = (*ownView)(nil)
)
