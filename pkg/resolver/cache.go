package resolver

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// Cache remembers every answer for the length of one run, so that one
// (name, type) costs one upstream query however many checks ask for it, even
// when they ask at the same moment (singleflight). Answers are kept whatever
// their TTL: a run lasts seconds, and every check should see the same DNS.
//
// Failures are cached too (a SERVFAIL asked twice is one SERVFAIL), except
// those caused by the asking caller's own context ending.
type Cache struct {
	upstream Resolver
	// canon is upstream when it is one of this package's resolvers (a
	// SharedCache, a Client, Zones), asked without canonicalizing the
	// names again.
	canon canonicalResolver

	mu      sync.Mutex
	entries map[qkey]*cacheEntry // answered, or being asked now
	slab    []cacheEntry         // entries not handed out yet
	slabs   int                  // slabs allocated
	reps    []Reply              // QueryDNSSEC's replies not handed out yet

	lookups atomic.Int64
	misses  atomic.Int64
}

// cacheEntry is one question: being asked (ready false) or answered. One
// map and one lock for both states, and no channel unless someone waits:
// the flight machinery (a flight, its channel, a second map) cost a fifth
// of a bulk run's allocations, for questions that are almost never asked
// twice at the same moment.
type cacheEntry struct {
	ans Answer
	rep *Reply // for QueryDNSSEC (a pointer: most entries are Lookup's)
	err error
	// done is made by the first caller that waits (under Cache.mu) and
	// closed by the asking one when it is finished.
	done chan struct{}
	// ready: ans, rep and err are final (set under Cache.mu).
	ready bool
	// abandoned: the asking caller's context ended before the answer, so
	// its error says nothing about the question.
	abandoned bool
}

var _ Resolver = (*Cache)(nil)

// NewCache wraps upstream.
func NewCache(upstream Resolver) *Cache {
	cr, _ := upstream.(canonicalResolver)
	// A domain asks some 50 distinct questions (55 on docs/scale.md's
	// workload): sized once, not grown. 56 is what 64 slots hold; a hint
	// of 64 made 128 (4.9 KB a domain, against 2.4).
	return &Cache{upstream: upstream, canon: cr, entries: make(map[qkey]*cacheEntry, 56)}
}

// Lookup implements Resolver.
//
// Its frame, and those of the layers below it, are on the stack of every
// lookup, down to the socket: the answers are written in place through a
// pointer (ask) rather than returned by value through every layer (the
// frames down to Client.sendUDP went from 2.4 to 1.7 KB, a batch's down
// to the UDP pool from 4.0 to 1.6 KB), so that the checks' goroutines
// need less stack (its growth, under the resolver, was 3 to 4 % of a bulk
// run's CPU profile).
func (c *Cache) Lookup(ctx context.Context, name string, qtype uint16) (Answer, error) {
	c.lookups.Add(1)
	key := cacheKey(name, qtype)
	e, lead, err := c.join(ctx, key)
	switch {
	case lead:
		// key.name, not name: canonical already, so the layers below
		// make no copy of it.
		e.err = c.ask(ctx, key.name, qtype, &e.ans)
		c.finish(ctx, key, e)
	case e == nil && err == nil:
		// The caller that asked gave up; we did not.
		return c.askAgain(ctx, key)
	case e == nil:
		return Answer{Name: key.name, Type: qtype}, err
	}
	return e.ans, e.err
}

// ask asks the upstream for name (canonical), into ans.
func (c *Cache) ask(ctx context.Context, name string, qtype uint16, ans *Answer) (err error) {
	if c.canon != nil {
		return c.canon.lookupCanonical(ctx, name, qtype, ans)
	}
	*ans, err = c.upstream.Lookup(ctx, name, qtype)
	return err
}

// askAgain asks the upstream for key itself, for a caller whose question
// was led by another that gave up. (A function of its own: its answer
// would be one more in Lookup's frame.)
//
//go:noinline
func (c *Cache) askAgain(ctx context.Context, key qkey) (Answer, error) {
	var ans Answer
	err := c.ask(ctx, key.name, key.qtype, &ans)
	return ans, err
}

// join finds key's entry: answered, being asked by another caller (join
// waits for it), or new, to be asked by this caller (lead: ask, fill in
// the entry, then finish it). A nil entry comes with the waiter's own
// context error, or with none when the asking caller gave up and this one
// should ask itself.
//
// Not one function taking the question as a closure: the closure's frame
// and this one's were on the stack of every lookup, and the lookups'
// goroutines outgrew their first stacks there.
func (c *Cache) join(ctx context.Context, key qkey) (e *cacheEntry, lead bool, err error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		if e.ready {
			c.mu.Unlock()
			return e, false, nil
		}
		if e.done == nil {
			e.done = make(chan struct{})
		}
		done := e.done
		c.mu.Unlock()
		if !await(ctx, done) {
			return nil, false, ctxError(key, ctx.Err())
		}
		// Read after done: set before it was closed.
		if e.abandoned && e.err != nil && ctx.Err() == nil {
			return nil, false, nil
		}
		return e, false, nil
	}
	e = c.newEntryLocked()
	c.entries[key] = e
	c.mu.Unlock()
	c.misses.Add(1)
	return e, true, nil
}

// await waits until done is closed or ctx ends, and reports whether done
// is. A channel closed already (the flight ended while the caller asked its
// own questions: the usual case in a batch's waits) or a context that
// cannot end takes no select: runtime.selectgo, locking both channels and
// parking, was 6.5 % of a bulk run's CPU. Done wins when both are.
func await(ctx context.Context, done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
	}
	cd := ctx.Done()
	if cd == nil {
		<-done
		return true
	}
	select {
	case <-done:
		return true
	case <-cd:
		return false
	}
}

// firstSlab and entrySlab are how many entries are allocated at once, the
// first time and after: a domain asks some 50 questions, and an allocation
// per question was a tenth of the cache's cost. An entry lives as long as
// its cache (one that is dropped, a failure not kept, wastes its place
// until then). An entry is 144 octets: 24 fill an allocation of 3,456
// exactly, 33 one of 4,864 (where 32 left 256 octets unused), 57 in all
// for 8,320 octets where two slabs of 32 took 9,728; a domain of fewer
// than 25 questions (one that does not exist) takes 3,456.
const (
	firstSlab = 24
	entrySlab = 33
)

// newEntryLocked hands out a fresh entry; c.mu is held.
func (c *Cache) newEntryLocked() *cacheEntry {
	if len(c.slab) == 0 {
		n := entrySlab
		if c.slabs == 0 {
			n = firstSlab
		}
		c.slabs++
		c.slab = make([]cacheEntry, n)
	}
	e := &c.slab[0]
	c.slab = c.slab[1:]
	return e
}

// finish publishes the entry its caller asked for.
func (c *Cache) finish(ctx context.Context, key qkey, e *cacheEntry) {
	keep := keepable(ctx, e.err)
	c.mu.Lock()
	e.abandoned = ctx.Err() != nil
	if keep {
		e.ready = true
	} else {
		delete(c.entries, key)
	}
	if e.done != nil {
		close(e.done)
	}
	c.mu.Unlock()
}

// keepable reports whether an outcome may be cached: not when the asking
// caller's own context ended, which says nothing about the question.
func keepable(ctx context.Context, err error) bool {
	return keptError(err) && ctx.Err() == nil
}

// keptError reports whether an outcome with err may be cached, the
// caller's context alive: not when err says a context ended.
func keptError(err error) bool {
	return err == nil || !errors.Is(err, context.Canceled) && KindOf(err) != KindCanceled
}

// qkey is a question as a map key (no string built per lookup).
type qkey struct {
	name  string // canonical
	qtype uint16
	// dnssec is 0 for Lookup; for QueryDNSSEC 1 (DO), or 2 (DO and CD).
	dnssec uint8
}

func cacheKey(name string, qtype uint16) qkey { return qkey{name: Canonical(name), qtype: qtype} }

// canonicalResolver is implemented by this package's resolvers that a
// cache asks for its keys' names: canonical already, they are taken as
// they are. Each layer of a bulk run (Cache, SharedCache, Client) made the
// name canonical again, a scan of it each time: a tenth of the caches' CPU.
// The answer is written into ans, not returned: see Cache.Lookup.
type canonicalResolver interface {
	// lookupCanonical is Lookup for name == Canonical(name), into ans.
	lookupCanonical(ctx context.Context, name string, qtype uint16, ans *Answer) error
	// lookupBatchCanonical is LookupBatch for questions whose names are
	// canonical.
	lookupBatchCanonical(ctx context.Context, qs []Question, out []Result)
}

// canonicalQuestions returns qs with every name canonical: qs itself when
// they are already (the usual case: the names come from a cache's keys),
// else a copy.
func canonicalQuestions(qs []Question) []Question {
	for i, q := range qs {
		if c := Canonical(q.Name); c != q.Name {
			out := slices.Clone(qs)
			out[i].Name = c
			for j := i + 1; j < len(out); j++ {
				out[j].Name = Canonical(out[j].Name)
			}
			return out
		}
	}
	return qs
}

// CacheStats counts a cache's use.
type CacheStats struct {
	Lookups  int64 // questions asked of the cache
	Distinct int64 // different (name, type) pairs sent upstream
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	return CacheStats{Lookups: c.lookups.Load(), Distinct: c.misses.Load()}
}
